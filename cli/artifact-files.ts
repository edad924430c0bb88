// Writes an artifact answer to a file: streamed to a temporary name that did not exist before, then linked
// to its final name only if that name is free, so a failed download never leaves a partial file under the
// final name and no download ever replaces a file. The name is one file inside `dir`, never a path.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { link, mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FurnaceApi } from './kube-api.ts';
import { ApiError, errorMessage, readAll } from './kube-api.ts';

/** GETs `path` (aggregated) into `dir/file`; returns the file's path. Throws ApiError with the server's message. */
export async function downloadTo(api: FurnaceApi, path: string, dir: string, file: string): Promise<string> {
  if (file !== basename(file) || file === '.' || file === '..' || file.includes('\\'))
    throw new Error(`refusing to write ${JSON.stringify(file)}: not a plain file name`);
  await mkdir(dir, { recursive: true });
  const answer = await api.send('GET', path);
  const status = answer.statusCode ?? 0;
  if (status !== 200)
    throw new ApiError(status, errorMessage(status, (await readAll(answer)).toString('utf8')));
  const target = join(dir, file);
  const partial = join(dir, `.${file}.${randomBytes(6).toString('hex')}.partial`);
  const out = createWriteStream(partial, { flags: 'wx' });
  await once(out, 'open');
  try {
    await pipeline(answer, out);
    await link(partial, target).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw new Error(`${target} exists already; it was not replaced`);
      throw error;
    });
  } finally {
    await rm(partial, { force: true });
  }
  return target;
}
