// Writes an artifact answer to a file: streamed to a temporary name, renamed when complete, so a failed
// download never leaves a partial file under the final name.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FurnaceApi } from './kube-api.ts';
import { ApiError, errorMessage, readAll } from './kube-api.ts';

/** GETs `path` (aggregated) into `dir/file`; returns the file's path. Throws ApiError with the server's message. */
export async function downloadTo(api: FurnaceApi, path: string, dir: string, file: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const answer = await api.send('GET', path);
  const status = answer.statusCode ?? 0;
  if (status !== 200)
    throw new ApiError(status, errorMessage(status, (await readAll(answer)).toString('utf8')));
  const target = join(dir, file);
  const partial = `${target}.partial`;
  try {
    await pipeline(answer, createWriteStream(partial));
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return target;
}
