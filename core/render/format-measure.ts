// A graph's values as people read them: sample counts as counts, nanoseconds (offcpu, wall, mutex, block) as
// a time with its unit and what it measures ("1.25 s off-CPU"), bytes (heap, allocs) in binary units with
// what they are ("12.5 MiB in use"), other counts with their noun ("40 goroutines"). Pure; imports nothing
// but formatCount.
import { formatCount } from './format-count.ts';

/** What a graph's values are: samples, nanoseconds or bytes of something (`off-CPU`, `in use`), or a count. */
export type Measure =
  | { unit: 'samples' }
  | { unit: 'nanoseconds'; label: string }
  | { unit: 'bytes'; label: string }
  | { unit: 'count'; label: string };

export const SAMPLES: Measure = { unit: 'samples' };

const TIME_STEPS: readonly [number, string][] = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
];
const BYTE_STEPS: readonly [number, string][] = [
  [2 ** 30, 'GiB'],
  [2 ** 20, 'MiB'],
  [2 ** 10, 'KiB'],
];

/** `value` in the largest step it reaches, with 3 significant digits at most ("1.25 s", "12.3 MiB"). */
function scaled(value: number, steps: readonly [number, string][], base: string): string {
  const [scale, unit] = steps.find(([step]) => Math.abs(value) >= step) ?? [1, base];
  const inUnit = value / scale;
  const digits = inUnit >= 100 || scale === 1 ? 0 : inUnit >= 10 ? 1 : 2;
  return `${formatCount(Number(inUnit.toFixed(digits)))} ${unit}`;
}

/** 1234 → "1,234 samples"; 1_250_000_000 ns off-CPU → "1.25 s off-CPU"; 3 MiB in use → "3 MiB in use". */
export function formatMeasure(value: number, measure: Measure): string {
  switch (measure.unit) {
    case 'samples':
      return `${formatCount(value)} samples`;
    case 'count':
      return `${formatCount(value)} ${measure.label}`;
    case 'bytes':
      return `${scaled(value, BYTE_STEPS, 'B')} ${measure.label}`;
    case 'nanoseconds':
      return `${scaled(value, TIME_STEPS, 'ns')} ${measure.label}`;
  }
}

/** What the summary calls a graph's total: Samples, Time, Bytes, or the count's noun. */
export function measureTerm(measure: Measure): string {
  if (measure.unit === 'samples') return 'Samples';
  if (measure.unit === 'nanoseconds') return 'Time';
  if (measure.unit === 'bytes') return 'Bytes';
  return measure.label.charAt(0).toUpperCase() + measure.label.slice(1);
}
