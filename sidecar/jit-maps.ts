// JIT symbol maps (Node --perf-basic-prof, JVM perf-map-agent) live in the target's /tmp under its own PID;
// perf script looks for /tmp/perf-<pid>.map in the sidecar's /tmp under the PID it recorded.
import { copyFile, rm, stat } from 'node:fs/promises';

export interface JitTarget {
  pid: number;
  nspid: number;
}

export interface JitMapOptions {
  procRoot?: string;
  tmpDir?: string;
}

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [left, right] = await Promise.all([stat(a), stat(b)]);
    return left.dev === right.dev && left.ino === right.ino;
  } catch {
    return false;
  }
}

/** Where a target's map is, seen through its own root, and where perf script will look for it. */
export function jitMapPaths(
  target: JitTarget,
  options: JitMapOptions = {},
): { source: string; destination: string } {
  return {
    source: `${options.procRoot ?? '/proc'}/${target.pid}/root/tmp/perf-${target.nspid}.map`,
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
    const { source, destination } = jitMapPaths(target, options);
    if (await sameFile(source, destination)) continue; // same /tmp (local mode): nothing to do
    try {
      await copyFile(source, destination);
      copies.push(destination);
    } catch {
      // no map (not a JIT runtime) or the process is gone
    }
  }
  return copies;
}

export async function removeJitMaps(copies: Iterable<string>): Promise<void> {
  for (const path of copies) await rm(path, { force: true });
}
