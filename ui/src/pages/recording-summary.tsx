// Where a recording came from and how it was taken: pod, container, start, duration, samples, profiler, settings.
import type { CatalogEntry } from '../../../core/recording.ts';
import { describeProfiler, describeSettings } from './recording-settings.ts';

export function durationOf(entry: CatalogEntry): string {
  const started = Date.parse(entry.startedAt);
  const ended = entry.endedAt ? Date.parse(entry.endedAt) : NaN;
  if (!Number.isFinite(started) || !Number.isFinite(ended)) return '—';
  return `${Math.max(0, Math.round((ended - started) / 1000))} s`;
}

export function formatTime(iso: string): string {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : time.toLocaleString('en-GB', { hour12: false });
}

export function RecordingSummary({ entry }: { entry: CatalogEntry }) {
  return (
    <dl class="summary">
      <dt>Pod</dt>
      <dd>
        {entry.namespace}/{entry.pod}
      </dd>
      <dt>Container</dt>
      <dd>{entry.container ?? entry.params.container ?? '—'}</dd>
      <dt>Started</dt>
      <dd>
        <time dateTime={entry.startedAt}>{formatTime(entry.startedAt)}</time>
      </dd>
      <dt>Duration</dt>
      <dd>{durationOf(entry)}</dd>
      <dt>Samples</dt>
      <dd>{entry.samples?.toLocaleString('en') ?? '—'}</dd>
      <dt>Profiler</dt>
      <dd>{describeProfiler(entry)}</dd>
      <dt>Settings</dt>
      <dd>{describeSettings(entry)}</dd>
    </dl>
  );
}
