// What every benchmark prints and needs beside its measurement: the machine it ran on, the load average
// at start and end, and a stand-in for node:test's context so that the test harness's process helpers
// (which stop what they start when the test ends) stop what a benchmark starts when it ends.
import { cpus, loadavg, release } from 'node:os';
import type { TestContext } from 'node:test';

/** CPU model, core count, kernel and Node version, on one line. */
export function describeMachine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, Linux ${release()}, Node ${process.version}`;
}

/** The 1, 5 and 15 minute load averages. */
export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

export interface BenchContext {
  /** For harness helpers that take a test context: only `after` is used, and runs in `close`. */
  t: TestContext;
  close(): Promise<void>;
}

/** Cleanups registered through `t.after` run in reverse order on close, each even if one before threw. */
export function benchContext(): BenchContext {
  const cleanups: (() => unknown)[] = [];
  const t = { after: (fn: () => unknown) => void cleanups.push(fn) } as unknown as TestContext;
  return {
    t,
    async close() {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          process.stderr.write(`cleanup failed: ${String(error)}\n`);
        }
      }
    },
  };
}

/**
 * Runs a benchmark between two lines naming the machine and the load average, and its cleanups after,
 * whatever happens; exits with 1 when it threw (a control plane it started stops on exit).
 */
export async function runBench(name: string, body: (bench: BenchContext) => Promise<void>): Promise<void> {
  const bench = benchContext();
  process.stdout.write(`${name}: ${describeMachine()}\nload average at start: ${loadAverage()}\n`);
  let failed = false;
  try {
    await body(bench);
  } catch (error) {
    failed = true;
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  } finally {
    await bench.close();
  }
  process.stdout.write(`load average at end: ${loadAverage()}; ${new Date().toISOString()}\n`);
  process.exit(failed ? 1 : 0);
}
