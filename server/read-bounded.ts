// Reads a stream into one buffer, refusing it as soon as it passes a size: a body or an answer that a
// handler must see whole never costs more memory than its limit. The chunks are joined once at the end
// (node:stream/consumers' buffer() goes through a Blob, which cost more than the proxy's own work on a
// status poll). A Readable is read through its events: its async iterator costs about as much again as
// the rest of the read on a status poll; anything else is iterated.
import { Readable } from 'node:stream';
import { FurnaceError } from '../core/contract/errors.ts';

function tooLarge(what: string, maxBytes: number): FurnaceError {
  return new FurnaceError('ERR_PAYLOAD_TOO_LARGE', `${what} is larger than ${maxBytes} bytes`, {
    field: what,
    limit: maxBytes,
  });
}

const joined = (chunks: Buffer[], size: number): Buffer =>
  chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size);

const ignore = (): void => undefined;

/** A Readable's bytes by its events; one past the limit destroys the stream (its connection closes). */
function readEvents(stream: Readable, maxBytes: number, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: Error | undefined): void => {
      stream.off('data', onData).off('end', onEnd).off('error', settle).off('close', onClose);
      // A late error of a stream that was read or given up must not go unhandled.
      stream.on('error', ignore);
      if (error) reject(error);
      else resolve(joined(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      settle(tooLarge(what, maxBytes));
      stream.destroy();
    };
    const onEnd = (): void => settle(undefined);
    const onClose = (): void =>
      settle(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    stream.on('data', onData).on('end', onEnd).on('error', settle).on('close', onClose);
  });
}

async function readIterated(stream: AsyncIterable<Buffer>, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(what, maxBytes);
    chunks.push(chunk);
  }
  return joined(chunks, size);
}

export function readBounded(stream: AsyncIterable<Buffer>, maxBytes: number, what: string): Promise<Buffer> {
  // An ended or destroyed stream emits nothing more: the iterator knows how to answer for it.
  if (stream instanceof Readable && !stream.readableEnded && !stream.destroyed && !stream.readableObjectMode)
    return readEvents(stream, maxBytes, what);
  return readIterated(stream, maxBytes, what);
}
