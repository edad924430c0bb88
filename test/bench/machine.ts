// What every benchmark prints about where it ran: CPU, cores, kernel, Node, perf, load and UTC time.
import { cpus, loadavg, release } from 'node:os';
import { execFileSync } from '../harness/child-processes.ts';

/** `AMD EPYC, 2 cores, Linux 6.18…, Node v20…, perf version 6.1…` (perf only when asked). */
export function machine(withPerf = false): string {
  const cpu = cpus();
  const perf = withPerf ? `, ${execFileSync('perf', ['--version']).toString().trim()}` : '';
  return `${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, Linux ${release()}, Node ${process.version}${perf}`;
}

/** The 1-, 5- and 15-minute load averages, e.g. `1.52 / 1.20 / 0.98`. */
export function load(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');
}

/** Now in UTC, to the minute: `2026-11-22 14:05 UTC`. */
export function utcNow(): string {
  return `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The median of a list of numbers (NaN when empty). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}
