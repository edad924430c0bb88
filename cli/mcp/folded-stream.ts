// Reads a folded-stacks answer line by line as it arrives, without holding the whole text, and stops
// reading past a size limit.
import { StringDecoder } from 'node:string_decoder';

/** The most bytes of folded stacks read for one summary or comparison. */
export const MAX_FOLDED_BYTES = 512 * 1024 * 1024;

export class FoldedTooLargeError extends Error {
  readonly code = 'ERR_PROFILE_TOO_LARGE';
  constructor(what: string, limit: number) {
    super(`${what} is larger than ${limit} bytes, the most the assistant reads of one profile`);
    this.name = 'FoldedTooLargeError';
  }
}

/** Calls `onLine` for every line of `stream`; throws FoldedTooLargeError past `maxBytes`. */
export async function readLines(
  stream: AsyncIterable<Buffer | string>,
  onLine: (line: string) => void,
  options: { what: string; maxBytes?: number; signal?: AbortSignal },
): Promise<void> {
  const maxBytes = options.maxBytes ?? MAX_FOLDED_BYTES;
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  let partial = '';
  for await (const chunk of stream) {
    options.signal?.throwIfAborted();
    bytes += chunk.length;
    if (bytes > maxBytes) throw new FoldedTooLargeError(options.what, maxBytes);
    const text = partial + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      onLine(text.slice(start, end));
      start = end + 1;
    }
    partial = text.slice(start);
  }
  const rest = partial + decoder.end();
  if (rest !== '') onLine(rest);
}
