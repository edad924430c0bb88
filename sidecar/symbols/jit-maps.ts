// JIT symbol maps (Node --perf-basic-prof, JVM perf-map-agent) live in the target's /tmp under its own PID;
// perf script looks for /tmp/perf-<pid>.map in the sidecar's /tmp under the PID it recorded.
// Each map is copied through copyRegularFromRoot: a regular file inside the target's root, capped.
import { rm, stat } from 'node:fs/promises';
import { copyRegularFromRoot, resolveInRoot } from '../host/safe-copy.ts';
import { procDirOf } from '../host/live-task.ts';

export interface JitTarget {
  pid: number;
  nspid: number;
}

export interface JitMapOptions {
  procRoot?: string;
  tmpDir?: string;
  /** Largest map copied, bytes; a larger one is skipped. */
  maxBytes?: number;
}

/** A JIT map larger than this is not copied (a long-running JVM's map is tens of MiB). */
export const DEFAULT_MAX_JIT_MAP_BYTES = 128 * 1024 * 1024;

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [left, right] = await Promise.all([stat(a), stat(b)]);
    return left.dev === right.dev && left.ino === right.ino;
  } catch {
    return false;
  }
}

/** Where a target's map is (a path inside its own root) and where perf script will look for it. */
export function jitMapPaths(
  target: JitTarget,
  options: JitMapOptions = {},
): { root: string; path: string; destination: string } {
  return {
    root: `${options.procRoot ?? '/proc'}/${target.pid}/root`,
    path: `/tmp/perf-${target.nspid}.map`,
    destination: `${options.tmpDir ?? '/tmp'}/perf-${target.pid}.map`,
  };
}

/**
 * Copies each target's map to where perf script looks; returns the copies made (for removal later).
 * A target without a map, or one that has exited, is skipped: an earlier copy stays in place.
 */
export async function copyJitMaps(
  targets: readonly JitTarget[],
  options: JitMapOptions = {},
): Promise<string[]> {
  const copies: string[] = [];
  for (const target of targets) {
    const { path, destination } = jitMapPaths(target, options);
    try {
      // A live thread's root when the main thread has exited (live-task.ts).
      const root = `${await procDirOf(target.pid, options.procRoot)}/root`;
      const source = await resolveInRoot(root, path);
      if (await sameFile(source, destination)) continue; // same /tmp (local mode): nothing to do
      await copyRegularFromRoot(root, path, destination, options.maxBytes ?? DEFAULT_MAX_JIT_MAP_BYTES);
      copies.push(destination);
    } catch {
      // no map (not a JIT runtime), the process is gone, or not a regular file of a sane size
    }
  }
  return copies;
}

export async function removeJitMaps(copies: Iterable<string>): Promise<void> {
  for (const path of copies) await rm(path, { force: true });
}
