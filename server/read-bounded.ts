// Reads a stream into one buffer, refusing it as soon as it passes a size: a body or an answer that a
// handler must see whole never costs more memory than its limit.
import { buffer } from 'node:stream/consumers';
import { FurnaceError } from '../core/errors.ts';

async function* capped(
  stream: AsyncIterable<Buffer>,
  maxBytes: number,
  what: string,
): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new FurnaceError('ERR_PAYLOAD_TOO_LARGE', `${what} is larger than ${maxBytes} bytes`, {
        field: what,
        limit: maxBytes,
      });
    }
    yield chunk;
  }
}

export function readBounded(stream: AsyncIterable<Buffer>, maxBytes: number, what: string): Promise<Buffer> {
  return buffer(capped(stream, maxBytes, what));
}
