// Where a recording came from and how it was taken: pod, container, start, duration, profile type, samples
// (or time), profiler, settings.
import { describeBaselineKey } from '../../../core/compare/recorded-program.ts';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { measureOf, profileOf } from '../../../core/contract/profile-types.ts';
import { formatMeasure, measureTerm } from '../../../core/render/format-measure.ts';
import {
  describeProfiler,
  describeSelection,
  describeSettings,
  describeTargets,
} from './recording-settings.ts';
import { durationOf, formatTime } from './recording-times.ts';

/** `collector: delivered`, `team: pending, 3 attempts (could not push …)`. */
function describeDelivery(d: NonNullable<CatalogEntry['deliveries']>[number]): string {
  const attempts = d.state === 'delivered' ? '' : `, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`;
  return `${d.sink}: ${d.state}${attempts}${d.lastError && d.state !== 'delivered' ? ` (${d.lastError})` : ''}`;
}

export function RecordingSummary({ entry }: { entry: CatalogEntry }) {
  const measure = measureOf(profileOf(entry.params));
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
      <dt>Profile</dt>
      <dd>{profileOf(entry.params)}</dd>
      <dt>{measureTerm(measure)}</dt>
      <dd>{entry.samples === undefined ? '—' : formatMeasure(entry.samples, measure)}</dd>
      <dt>Profiler</dt>
      <dd>{describeProfiler(entry)}</dd>
      <dt>Settings</dt>
      <dd>{describeSettings(entry)}</dd>
      <dt>Recorded</dt>
      <dd>
        {describeSelection(entry)}: {describeTargets(entry, 20)}
      </dd>
      {entry.params.note ? (
        <>
          <dt>Note</dt>
          <dd class="note">{entry.params.note}</dd>
        </>
      ) : null}
      {entry.baselineOf ? <dt>Baseline of</dt> : null}
      {entry.baselineOf ? <dd>{describeBaselineKey(entry.baselineOf)}</dd> : null}
      {entry.deliveries?.length ? <dt>Sinks</dt> : null}
      {entry.deliveries?.length ? <dd>{entry.deliveries.map(describeDelivery).join('; ')}</dd> : null}
    </dl>
  );
}
