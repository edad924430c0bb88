// Targets in other mount namespaces take their files along when they exit. With `perf record --buildid-mmap`
// (fast stop, nothing copied), the sidecar puts the targets' mapped executables into the recording's
// build-id cache itself, at the start of the recording while they are certainly alive.
import { lstat, mkdir, readFile, readlink, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { addToBuildIdCache } from './buildid-cache.ts';
import { copyRegularFromRoot, resolveInRoot, UnsafeFileError } from '../host/safe-copy.ts';
import type { RunCommand } from '../host/runtime.ts';
import { procDirOf } from '../host/live-task.ts';

/** A mapped executable larger than this is not cached (perf does without its symbols). */
export const DEFAULT_MAX_BINARY_BYTES = 1024 * 1024 * 1024;

/** File-backed executable mappings of /proc/PID/maps text, each path once. */
export function parseExecutableMappings(maps: string): string[] {
  const paths = new Set<string>();
  for (const line of maps.split('\n')) {
    // address perms offset dev inode path
    const match = /^\S+\s+(\S{4})\s+\S+\s+\S+\s+(\d+)\s+(\/.*)$/.exec(line);
    if (match?.[1]?.[2] !== 'x' || match[2] === '0' || match[3] === undefined) continue;
    if (match[3].endsWith(' (deleted)')) continue;
    paths.add(match[3]);
  }
  return [...paths];
}

/**
 * Every executable the targets have mapped, once per mount namespace, as paths inside their roots; `root`
 * is the target's /proc/PID/root (a live thread's when its main thread has exited: live-task.ts).
 */
async function mappedBinaries(
  procRoot: string,
  pids: readonly number[],
): Promise<{ pid: number; root: string; path: string; namespace: string }[]> {
  const seen = new Set<string>();
  const binaries: { pid: number; root: string; path: string; namespace: string }[] = [];
  for (const pid of pids) {
    const dir = await procDirOf(pid, procRoot);
    const maps = await readFile(`${dir}/maps`, 'utf8').catch(() => '');
    const namespace = (await readlink(`${dir}/ns/mnt`).catch(() => undefined)) ?? String(pid);
    for (const path of parseExecutableMappings(maps)) {
      if (seen.has(`${namespace}:${path}`)) continue;
      seen.add(`${namespace}:${path}`);
      binaries.push({ pid, root: `${dir}/root`, path, namespace });
    }
  }
  return binaries;
}

/** Bytes of every executable the targets have mapped: what perf record's build-id cache may copy. */
export async function mappedBinaryBytes(pids: readonly number[], procRoot = '/proc'): Promise<number> {
  let total = 0;
  for (const { root, path } of await mappedBinaries(procRoot, pids)) {
    const info = await resolveInRoot(root, path)
      .then((resolved) => lstat(resolved))
      .catch(() => undefined);
    if (info?.isFile() === true) total += info.size;
  }
  return total;
}

/** Adds every executable the targets have mapped to the build-id cache; returns how many were added. */
export async function cacheTargetBinaries(
  run: RunCommand,
  options: {
    perfPath: string;
    buildIdDir: string;
    workDir: string;
    pids: readonly number[];
    procRoot?: string;
    /** Largest binary copied, bytes. */
    maxBytes?: number;
    /**
     * How many bytes may be written now (the disk budget): a binary is copied and then cached, so it
     * takes twice its size for a moment. No limit when unset.
     */
    free?: () => Promise<number>;
    /** Takes each copy after the cache did (it may move it); without it the copy is removed. */
    keep?: (copy: string, binary: { path: string; namespace: string }) => Promise<unknown>;
  },
): Promise<{ added: number; skippedBytes: number }> {
  const procRoot = options.procRoot ?? '/proc';
  await mkdir(options.workDir, { recursive: true });
  let added = 0;
  let skippedBytes = 0;
  let index = 0;
  for (const { root, path, namespace } of await mappedBinaries(procRoot, options.pids)) {
    // perf resolves /proc/PID/root to the sidecar's own / and finds nothing there, so it gets a copy:
    // a regular file inside the target's root, never a link out of it or a FIFO.
    const copy = `${options.workDir}/${++index}-${basename(path)}`;
    try {
      const free = options.free ? await options.free() : Number.POSITIVE_INFINITY;
      const maxBytes = Math.min(options.maxBytes ?? DEFAULT_MAX_BINARY_BYTES, Math.floor(free / 2));
      await copyRegularFromRoot(root, path, copy, maxBytes);
      if (await addToBuildIdCache(run, options, copy)) added += 1;
      await options.keep?.(copy, { path, namespace });
    } catch (error) {
      // the process is gone, or the file is unreadable, not regular or too large: perf does without
      if (error instanceof UnsafeFileError && error.reason === 'too-large') skippedBytes += error.bytes ?? 0;
    } finally {
      await rm(copy, { force: true });
    }
  }
  return { added, skippedBytes };
}
