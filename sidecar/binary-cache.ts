// Targets in other mount namespaces take their files along when they exit. With `perf record --buildid-mmap`
// (fast stop, nothing copied), the sidecar puts the targets' mapped executables into the recording's
// build-id cache itself, at the start of the recording while they are certainly alive.
import { mkdir, readFile, readlink, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { addToBuildIdCache } from './buildid-cache.ts';
import type { RunCommand } from './image-symbols.ts';
import { copyRegularFromRoot } from './safe-copy.ts';

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

async function mountNamespace(procRoot: string, pid: number): Promise<string | undefined> {
  return readlink(`${procRoot}/${pid}/ns/mnt`).catch(() => undefined);
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
  },
): Promise<number> {
  const procRoot = options.procRoot ?? '/proc';
  await mkdir(options.workDir, { recursive: true });
  const seen = new Set<string>();
  let added = 0;
  for (const pid of options.pids) {
    const maps = await readFile(`${procRoot}/${pid}/maps`, 'utf8').catch(() => '');
    const namespace = (await mountNamespace(procRoot, pid)) ?? String(pid);
    for (const path of parseExecutableMappings(maps)) {
      const key = `${namespace}:${path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // perf resolves /proc/PID/root to the sidecar's own / and finds nothing there, so it gets a copy:
      // a regular file inside the target's root, never a link out of it or a FIFO.
      const copy = `${options.workDir}/${seen.size}-${basename(path)}`;
      try {
        await copyRegularFromRoot(
          `${procRoot}/${pid}/root`,
          path,
          copy,
          options.maxBytes ?? DEFAULT_MAX_BINARY_BYTES,
        );
        if (await addToBuildIdCache(run, options, copy)) added += 1;
      } catch {
        // the process is gone, or the file is unreadable, not regular or too large: perf does without
      } finally {
        await rm(copy, { force: true });
      }
    }
  }
  return added;
}
