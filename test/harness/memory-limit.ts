// Runs a process under a memory limit as a container's would be (a cgroup v1 memory group), so a benchmark
// sees what the pod would: Node sizes its heap from the limit it finds at start, and the kernel kills the
// process when it goes past it. The group is made before the process starts (a shell writes itself into
// it, then execs the command), so the process finds the limit from its first instruction.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess, type SpawnOptions } from './child-processes.ts';

const MEMORY_ROOT = '/sys/fs/cgroup/memory';

export interface MemoryGroup {
  /** The command line that runs `command` with `args` inside the group. */
  wrap(command: string, args: readonly string[]): { command: string; args: string[] };
  /** The group's peak usage (memory.max_usage_in_bytes: resident pages and page cache). */
  peakBytes(): number;
  /** Times the kernel killed a process of the group for going past the limit. */
  oomKills(): number;
  /** Removes the group once its processes have ended. */
  remove(): void;
}

/** A new memory group limited to `limitBytes`. */
export function memoryGroup(limitBytes: number): MemoryGroup {
  const dir = `${MEMORY_ROOT}/furnace-bench-${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(dir);
  } catch (error) {
    throw new Error(
      `a memory limit needs the cgroup v1 memory controller at ${MEMORY_ROOT}; could not make a group there: ${(error as Error).message}`,
    );
  }
  writeFileSync(`${dir}/memory.limit_in_bytes`, String(limitBytes));
  return {
    wrap: (command, args) => ({
      command: '/bin/sh',
      args: ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, command, ...args],
    }),
    peakBytes: () => Number(readFileSync(`${dir}/memory.max_usage_in_bytes`, 'utf8').trim()),
    oomKills: () =>
      Number(/^oom_kill (\d+)$/m.exec(readFileSync(`${dir}/memory.oom_control`, 'utf8'))?.[1] ?? 0),
    remove() {
      try {
        rmdirSync(dir);
      } catch {
        // still in use or gone: left to the next boot
      }
    },
  };
}

export interface MemoryLimited {
  child: ChildProcess;
  group: MemoryGroup;
}

/** Spawns `command` with `args` in a new memory group limited to `limitBytes`. */
export function spawnWithMemoryLimit(
  limitBytes: number,
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): MemoryLimited {
  const group = memoryGroup(limitBytes);
  const wrapped = group.wrap(command, args);
  return { child: spawn(wrapped.command, wrapped.args, options), group };
}

/** Parses a Kubernetes memory quantity with a binary suffix ("256Mi", "1Gi"). */
export function quantityBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`memory quantity ${quantity}: expected a number with Ki, Mi or Gi`);
  const unit = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[match[2] as 'Ki' | 'Mi' | 'Gi'];
  return Number(match[1]) * unit;
}
