// Runs a process under a memory limit as a container's would be (a cgroup v1 memory group), so a benchmark
// sees what the pod would: Node sizes its heap from the limit it finds at start, and the kernel kills the
// process when it goes past it. The group is made before the process starts (a shell writes itself into
// it, then execs the command), so the process finds the limit from its first instruction.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';

const MEMORY_ROOT = '/sys/fs/cgroup/memory';

export interface MemoryLimited {
  child: ChildProcess;
  /** The group's peak usage (memory.max_usage_in_bytes: resident pages and page cache). */
  peakBytes(): Promise<number>;
  /** Times the kernel killed a process of the group for going past the limit. */
  oomKills(): Promise<number>;
  /** Removes the group once its processes have ended. */
  remove(): Promise<void>;
}

async function readNumber(path: string): Promise<number> {
  return Number((await readFile(path, 'utf8')).trim());
}

/** Spawns `command` with `args` in a new memory group limited to `limitBytes`. */
export async function spawnWithMemoryLimit(
  limitBytes: number,
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): Promise<MemoryLimited> {
  const dir = `${MEMORY_ROOT}/furnace-bench-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(dir);
  } catch (error) {
    throw new Error(
      `a memory limit needs the cgroup v1 memory controller at ${MEMORY_ROOT}; could not make a group there: ${(error as Error).message}`,
    );
  }
  await writeFile(`${dir}/memory.limit_in_bytes`, String(limitBytes));
  const child = spawn(
    '/bin/sh',
    ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, command, ...args],
    options,
  );
  return {
    child,
    peakBytes: () => readNumber(`${dir}/memory.max_usage_in_bytes`),
    async oomKills() {
      const text = await readFile(`${dir}/memory.oom_control`, 'utf8');
      return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
    },
    remove: () => rmdir(dir).catch(() => {}),
  };
}

/** Parses a Kubernetes memory quantity with a binary suffix ("256Mi", "1Gi"). */
export function quantityBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`memory quantity ${quantity}: expected a number with Ki, Mi or Gi`);
  const unit = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[match[2] as 'Ki' | 'Mi' | 'Gi'];
  return Number(match[1]) * unit;
}
