// A graph's values as people read them: sample counts as counts, nanoseconds (profiles offcpu and wall) as
// a time with its unit and what it measures ("1.25 s off-CPU"). Pure; imports nothing but formatCount.
import { formatCount } from './format-count.ts';

/** What a graph's values are: samples, or nanoseconds of something (`off-CPU`, `wall`). */
export type Measure = { unit: 'samples' } | { unit: 'nanoseconds'; label: string };

export const SAMPLES: Measure = { unit: 'samples' };

const STEPS: readonly [number, string][] = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
];

/** 1234 → "1,234 samples"; 1_250_000_000 ns off-CPU → "1.25 s off-CPU"; 42 ns → "42 ns wall". */
export function formatMeasure(value: number, measure: Measure): string {
  if (measure.unit === 'samples') return `${formatCount(value)} samples`;
  const [scale, unit] = STEPS.find(([step]) => Math.abs(value) >= step) ?? [1, 'ns'];
  const scaled = value / scale;
  const digits = scaled >= 100 || scale === 1 ? 0 : scaled >= 10 ? 1 : 2;
  return `${formatCount(Number(scaled.toFixed(digits)))} ${unit} ${measure.label}`;
}
