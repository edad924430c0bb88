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

/**
 * A Readable's bytes by its events; one past the limit destroys the stream (its connection closes). A
 * class with bound methods rather than closures: tsx (esbuild's keepNames) names each closure as it is
 * made, which cost more per status poll than the rest of the read.
 */
class EventRead {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  readonly #stream: Readable;
  readonly #maxBytes: number;
  readonly #what: string;
  readonly #resolve: (body: Buffer) => void;
  readonly #reject: (error: Error) => void;
  readonly #onData = this.#data.bind(this);
  readonly #onEnd = this.#end.bind(this);
  readonly #onError = this.#settle.bind(this);
  readonly #onClose = this.#close.bind(this);

  constructor(
    stream: Readable,
    limit: { maxBytes: number; what: string },
    resolve: (body: Buffer) => void,
    reject: (error: Error) => void,
  ) {
    this.#stream = stream;
    this.#maxBytes = limit.maxBytes;
    this.#what = limit.what;
    this.#resolve = resolve;
    this.#reject = reject;
    stream
      .on('data', this.#onData)
      .on('end', this.#onEnd)
      .on('error', this.#onError)
      .on('close', this.#onClose);
  }

  #data(chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#size <= this.#maxBytes) {
      this.#chunks.push(chunk);
      return;
    }
    this.#settle(tooLarge(this.#what, this.#maxBytes));
    this.#stream.destroy();
  }

  #end(): void {
    this.#settle(undefined);
  }

  #close(): void {
    this.#settle(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
  }

  #settle(error: Error | undefined): void {
    const stream = this.#stream;
    stream.off('data', this.#onData).off('end', this.#onEnd).off('error', this.#onError);
    stream.off('close', this.#onClose);
    // A late error of a stream that was read or given up must not go unhandled.
    stream.on('error', ignore);
    if (error) this.#reject(error);
    else this.#resolve(joined(this.#chunks, this.#size));
  }
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
    return new Promise((resolve, reject) => new EventRead(stream, { maxBytes, what }, resolve, reject));
  return readIterated(stream, maxBytes, what);
}
