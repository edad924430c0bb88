// Summaries of measurements for the benchmarks.

/**
 * The p-th percentile (0 to 100) of values sorted in ascending order: the value at rank
 * floor(n × p / 100), the last one for p = 100; NaN when there are no values.
 */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}
