// A recording's start and length as the pages show them (plain TypeScript: no component, so unit tests import
// it without a JSX transform).
import type { CatalogEntry } from '../../../core/contract/recording.ts';

/**
 * How long it sampled. The entry's end is when the recorder finished (perf script, collapse, render and
 * upload included: half a second or more), but sampling never outlasts the duration asked for: a 1 s
 * recording is 1 s, not "2 s".
 */
export function durationOf(entry: Pick<CatalogEntry, 'startedAt' | 'endedAt' | 'params'>): string {
  const started = Date.parse(entry.startedAt);
  const ended = entry.endedAt ? Date.parse(entry.endedAt) : NaN;
  if (!Number.isFinite(started) || !Number.isFinite(ended)) return '—';
  const seconds = Math.min((ended - started) / 1000, entry.params.durationSeconds);
  return `${Math.max(0, Math.round(seconds))} s`;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Local time as `2026-03-01 12:00:05`; by hand, since Intl's first use costs a large graph's first paint. */
export function formatTime(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const date = `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())}`;
  return `${date} ${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}`;
}
