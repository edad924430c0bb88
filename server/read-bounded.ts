// Reads a stream into one buffer, refusing it as soon as it passes a size: a body or an answer that a
// handler must see whole never costs more memory than its limit. The chunks are joined once at the end
// (node:stream/consumers' buffer() goes through a Blob, which cost more than the proxy's own work on a
// status poll).
import { FurnaceError } from '../core/contract/errors.ts';

export async function readBounded(
  stream: AsyncIterable<Buffer>,
  maxBytes: number,
  what: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new FurnaceError('ERR_PAYLOAD_TOO_LARGE', `${what} is larger than ${maxBytes} bytes`, {
        field: what,
        limit: maxBytes,
      });
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size);
}
