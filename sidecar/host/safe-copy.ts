// Reading files out of another root: a target's /proc/PID/root or a mounted image. The kernel resolves
// an absolute symlink met under /proc/PID/root from the *sidecar's* root, so a target could point its
// /tmp/perf-N.map at the sidecar's token and have it copied; and opening a FIFO blocks until someone
// writes to it, which would hang the recording for good. So each path is resolved one component at a
// time, every link taken as if `root` were `/` (never above it), and only a regular file is opened:
// O_NOFOLLOW and O_NONBLOCK, checked again after opening to be the file that was looked at, and copied
// only up to a size cap.
import { constants } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { lstat, open, readlink, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

/** Links followed in one path before giving up, as the kernel's own limit. */
const MAX_LINKS = 40;

export class UnsafeFileError extends Error {
  readonly path: string;
  readonly reason: 'not-regular' | 'too-large' | 'too-many-links' | 'changed';
  /** The file's size, when it is known (a file refused as too large). */
  readonly bytes: number | undefined;

  constructor(path: string, reason: UnsafeFileError['reason'], detail: string, bytes?: number) {
    super(`${path}: ${detail}`);
    this.path = path;
    this.reason = reason;
    this.bytes = bytes;
    this.name = 'UnsafeFileError';
  }
}

function componentsOf(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/**
 * The path of `path` inside `root` with every symlink resolved as if `root` were `/`: the result has no
 * link in it and never leaves `root`. A missing component throws ENOENT as lstat does.
 */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  const pending = componentsOf(path);
  let resolved: string[] = [];
  let links = 0;
  for (let part = pending.shift(); part !== undefined; part = pending.shift()) {
    if (part === '..') {
      resolved.pop(); // `..` at the root stays at the root
      continue;
    }
    const candidate = `${root}/${[...resolved, part].join('/')}`;
    const info = await lstat(candidate);
    if (!info.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS)
      throw new UnsafeFileError(path, 'too-many-links', `more than ${MAX_LINKS} links`);
    const target = await readlink(candidate);
    if (target.startsWith('/')) resolved = [];
    pending.unshift(...componentsOf(target));
  }
  return `${root}/${resolved.join('/')}`;
}

function kindOf(info: { isFIFO(): boolean; isDirectory(): boolean; isSocket(): boolean }): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isDirectory()) return 'a directory';
  if (info.isSocket()) return 'a socket';
  return 'a device or other special file';
}

/**
 * Opens `path` inside `root` for reading if it is a regular file of at most `maxBytes`; the handle is the
 * file that was checked (same device and inode), whatever was swapped in meanwhile.
 */
export async function openRegularInRoot(
  root: string,
  path: string,
  maxBytes: number,
): Promise<{ handle: FileHandle; size: number; resolved: string }> {
  const resolved = await resolveInRoot(root, path);
  const before = await lstat(resolved);
  if (!before.isFile())
    throw new UnsafeFileError(path, 'not-regular', `${kindOf(before)}, not a regular file`);
  if (before.size > maxBytes) {
    const detail = `${before.size} bytes, more than the cap of ${maxBytes}`;
    throw new UnsafeFileError(path, 'too-large', detail, before.size);
  }
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;
  const handle = await open(resolved, flags);
  try {
    const after = await handle.stat();
    if (!after.isFile() || after.dev !== before.dev || after.ino !== before.ino)
      throw new UnsafeFileError(path, 'changed', 'replaced while it was opened');
    if (after.size > maxBytes) {
      const detail = `${after.size} bytes, more than the cap of ${maxBytes}`;
      throw new UnsafeFileError(path, 'too-large', detail, after.size);
    }
    return { handle, size: after.size, resolved };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Copies a regular file from inside `root` to `destination` (through a temp file renamed into place, so
 * a reader never sees half of it): the bytes it had when opened, at most `maxBytes`. Returns them.
 */
export async function copyRegularFromRoot(
  root: string,
  path: string,
  destination: string,
  maxBytes: number,
): Promise<number> {
  const { handle, size } = await openRegularInRoot(root, path, maxBytes);
  const temp = `${destination}.${process.pid}.partial`;
  try {
    // A file that grows while it is copied (a JIT map) is copied as it was when opened.
    if (size === 0) await writeFile(temp, '', { mode: 0o600 });
    else
      await pipeline(
        handle.createReadStream({ start: 0, end: size - 1, autoClose: false }),
        createWriteStream(temp, { mode: 0o600 }),
      );
    await rename(temp, destination);
    return size;
  } finally {
    await handle.close();
    await rm(temp, { force: true });
  }
}
