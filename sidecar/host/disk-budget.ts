// The sidecar's one disk budget for its data directory (the output emptyDir): what the directory holds
// now, as the kubelet would count it, plus what a running writer has been promised (perf.data up to its
// cap), must stay within the budget. Every writer asks before it writes: perf record gets a cap,
// perf.script, the build-id cache, image symbols and each rendered artifact are checked before they go
// to disk.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FurnaceError } from '../../core/contract/errors.ts';

/** How perf keeps the build ids of sampled binaries (perf-runner.ts says what each costs). */
export type BuildIdMode = 'cache' | 'scan' | 'mmap';

export interface DiskBudget {
  /** The budget, bytes. */
  readonly limitBytes: number;
  /** Bytes free now: the budget less what the directory holds and what is promised and not yet written. */
  free(): Promise<number>;
  /** Promises `bytes` to the file at `path` (counted as it grows); returns the release. */
  reserve(path: string, bytes: number): () => void;
}

/** Bytes a file takes on disk: its blocks, or its size when that is larger (du's view, conservatively). */
function footprint(info: { size: number; blocks: number }): number {
  return Math.max(info.size, info.blocks * 512);
}

/**
 * Bytes under `dir` as the kubelet measures an emptyDir: every file and directory, links not followed. The
 * entries of a directory are looked at together (one after the other took 5-16 ms before the flame tree
 * could be written, on the way to the graph).
 */
export async function diskUsage(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => undefined); // removed meanwhile
  if (names === undefined) return 0;
  const sizes = await Promise.all(
    names.map(async (name) => {
      const path = join(dir, name);
      const info = await lstat(path).catch(() => undefined);
      if (info === undefined) return 0;
      return footprint(info) + (info.isDirectory() ? await diskUsage(path) : 0);
    }),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** File sizes the budget needs: the current size of a promised file (0 when it does not exist yet). */
export type FileSize = (path: string) => Promise<number>;

export function createDiskBudget(
  dir: string,
  limitBytes: number,
  measure: { usage: (dir: string) => Promise<number>; size: FileSize },
): DiskBudget {
  const promised = new Map<number, { path: string; bytes: number }>();
  let next = 0;
  return {
    limitBytes,
    async free() {
      let owed = 0;
      for (const { path, bytes } of promised.values())
        owed += Math.max(0, bytes - (await measure.size(path)));
      return limitBytes - (await measure.usage(dir)) - owed;
    },
    reserve(path, bytes) {
      const key = next++;
      promised.set(key, { path, bytes });
      return () => promised.delete(key);
    },
  };
}

/** How much a new recording's perf.data may take of what is free: a quarter leaves room for the rest. */
export const PERF_DATA_SHARE = 0.25;

/** Below this much free space a recording is not started: it could not keep anything. */
export const MIN_FREE_TO_START = 512 * 1024;

/** perf.data's cap for a recording that starts with `free` bytes free. Pure. */
export function perfDataCap(free: number, configured: number): number {
  return Math.max(4096, Math.min(configured, Math.floor(free * PERF_DATA_SHARE)));
}

/** What the rendered artifacts are kept free for while perf.script is written: a share of what is left. */
export function renderReserve(free: number): number {
  return Math.min(64 * 1024 * 1024, Math.floor(free / 4));
}

/** What perf record's build-id cache copies besides the targets' binaries (kallsyms, vdso). */
export const KERNEL_SYMBOLS_BYTES = 32 * 1024 * 1024;

export interface RecordingBudget {
  /** perf.data's cap. */
  perfDataBytes: number;
  /** The build-id mode, `scan` instead of `cache` when the copies would not fit. */
  buildIds: BuildIdMode;
  warnings: string[];
}

/**
 * How a new recording fits the budget: refused when almost nothing is free; perf.data gets a share; perf
 * record's build-id cache (copies of every sampled binary) only when the targets' binaries fit half of
 * what is left (`binaryBytes` undefined: not known, as for a system-wide recording). Pure.
 */
export function budgetRecording(input: {
  free: number;
  limitBytes: number;
  configuredPerfDataBytes: number;
  buildIds: BuildIdMode;
  binaryBytes: number | undefined;
}): RecordingBudget {
  const { free, limitBytes } = input;
  if (free < MIN_FREE_TO_START) {
    throw new FurnaceError(
      'ERR_QUOTA_EXCEEDED',
      `the sidecar's disk budget of ${limitBytes} bytes has ${free} bytes free, less than the ${MIN_FREE_TO_START} a recording needs`,
      { field: 'diskBudgetBytes', limit: limitBytes, free },
    );
  }
  const perfDataBytes = perfDataCap(free, input.configuredPerfDataBytes);
  const budget: RecordingBudget = { perfDataBytes, buildIds: input.buildIds, warnings: [] };
  if (input.buildIds !== 'cache') return budget;
  const room = Math.floor((free - perfDataBytes) / 2);
  const needed = input.binaryBytes === undefined ? undefined : input.binaryBytes + KERNEL_SYMBOLS_BYTES;
  if (needed !== undefined && needed <= room) return budget;
  budget.buildIds = 'scan';
  const what =
    needed === undefined ? 'the binaries of a system-wide recording' : `${needed} bytes of binaries`;
  budget.warnings.push(
    `no build-id cache: ${what} would not fit the ${room} bytes the disk budget leaves for it; symbols of processes that exit before the recording ends may be missing`,
  );
  return budget;
}

/**
 * The cap of a profiler's one output file (bpftrace's text, a pprof profile): perf.data's share of what is
 * free, with no build-id cache to fit; refused like any recording when almost nothing is free.
 */
export async function outputFileCap(budget: DiskBudget, configuredBytes: number): Promise<number> {
  const fitted = budgetRecording({
    free: await budget.free(),
    limitBytes: budget.limitBytes,
    configuredPerfDataBytes: configuredBytes,
    buildIds: 'scan',
    binaryBytes: undefined,
  });
  return fitted.perfDataBytes;
}
