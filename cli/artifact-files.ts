// Writes an artifact answer to a file: streamed to a temporary name that did not exist before, then linked
// to its final name only if that name is free, so a failed download never leaves a partial file under the
// final name and no download ever replaces a file. The name is one file inside `dir`, never a path. The bytes
// are counted on the way: an answer that ends short of the size it announced (content-length), or a file that
// must not be empty and is, is refused as an ArtifactShortError and leaves no file.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { createWriteStream } from 'node:fs';
import { link, mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FurnaceApi } from './kube-api.ts';
import { ApiError, errorMessage, readAll } from './kube-api.ts';

/** An artifact that arrived empty or short of its announced size; `message` says which and by how much. */
export class ArtifactShortError extends Error {
  readonly file: string;
  readonly bytes: number;
  readonly expected: number | undefined;
  constructor(file: string, bytes: number, expected: number | undefined, cause?: string) {
    const off = expected !== undefined && bytes !== expected;
    const what = !off ? 'empty' : bytes < expected ? 'cut short' : 'longer than announced';
    const size = off ? `${bytes} bytes, expected ${expected}` : `${bytes} bytes`;
    super(`${file} arrived ${what} (${size}${cause ? `: ${cause}` : ''})`);
    this.name = 'ArtifactShortError';
    this.file = file;
    this.bytes = bytes;
    this.expected = expected;
  }
}

export interface DownloadOptions {
  /** An empty answer is refused (the profile itself: stacks.folded). */
  refuseEmpty?: boolean;
}

/** The size the answer announces, if it announces one. */
function announcedBytes(answer: IncomingMessage): number | undefined {
  const header = answer.headers['content-length'];
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}

/** A pass-through that counts the bytes it passes. */
function byteCounter(): Transform & { bytes: number } {
  const counter = Object.assign(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        counter.bytes += chunk.length;
        done(null, chunk);
      },
    }),
    { bytes: 0 },
  );
  return counter;
}

/**
 * Streams the answer into `partial`; throws ArtifactShortError when it ends (or breaks off) before its
 * announced size, or is empty and must not be.
 */
async function writeWhole(answer: IncomingMessage, partial: string, file: string, options: DownloadOptions) {
  const out = createWriteStream(partial, { flags: 'wx' });
  await once(out, 'open');
  const expected = announcedBytes(answer);
  const counter = byteCounter();
  try {
    await pipeline(answer, counter, out);
  } catch (error) {
    if (expected !== undefined && counter.bytes < expected)
      throw new ArtifactShortError(file, counter.bytes, expected, (error as Error).message);
    throw error;
  }
  if (expected !== undefined && counter.bytes !== expected)
    throw new ArtifactShortError(file, counter.bytes, expected);
  if (counter.bytes === 0 && options.refuseEmpty === true) throw new ArtifactShortError(file, 0, expected);
}

/** GETs `path` (aggregated) into `dir/file`; returns the file's path. Throws ApiError with the server's message. */
export async function downloadTo(
  api: FurnaceApi,
  path: string,
  into: { dir: string; file: string },
  options: DownloadOptions = {},
): Promise<string> {
  const { dir, file } = into;
  if (file !== basename(file) || file === '.' || file === '..' || file.includes('\\'))
    throw new Error(`refusing to write ${JSON.stringify(file)}: not a plain file name`);
  await mkdir(dir, { recursive: true });
  const answer = await api.send('GET', path);
  const status = answer.statusCode ?? 0;
  if (status !== 200)
    throw new ApiError(status, errorMessage(status, (await readAll(answer)).toString('utf8')));
  const target = join(dir, file);
  const partial = join(dir, `.${file}.${randomBytes(6).toString('hex')}.partial`);
  try {
    await writeWhole(answer, partial, file, options);
    await link(partial, target).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw new Error(`${target} exists already; it was not replaced`);
      throw error;
    });
  } finally {
    await rm(partial, { force: true });
  }
  return target;
}
