// The history table: one row per recording with its pick box, link and note, what was recorded, its
// facts and outcome, downloads and Delete. A failed recording has nothing to compare: no pick box.
import { describeBaselineKey } from '../../../core/compare/recorded-program.ts';
import { measureOf, profileOf } from '../../../core/contract/profile-types.ts';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { formatMeasure } from '../../../core/render/format-measure.ts';
import { Downloads } from '../pages/downloads.tsx';
import { durationOf, formatTime } from '../pages/recording-times.ts';
import {
  describeOutcome,
  describeProfiler,
  describeSelection,
  describeTargets,
} from '../pages/recording-settings.ts';
import { RegressionFlag } from '../regression/regression-flag.tsx';
import { WhenVisible } from '../regression/when-visible.tsx';
import { followLink } from '../routing/router.ts';
import type { HistoryActions } from './use-history-actions.ts';

const COLUMNS = [
  'Pick',
  'Recording',
  'Pod',
  'Container',
  'Recorded',
  'Profiler',
  'Started',
  'Started by',
  'Duration',
  'Total',
  'State',
  'Regression',
  'Downloads',
  'Actions',
];

function DeleteButtons({ id, actions }: { id: string; actions: HistoryActions }) {
  if (actions.confirming !== id)
    return (
      <button type="button" aria-label={`Delete ${id}`} onClick={() => actions.setConfirming(id)}>
        Delete
      </button>
    );
  return (
    <>
      <button type="button" class="danger" onClick={() => actions.remove(id)}>
        Confirm delete
      </button>
      <button type="button" onClick={() => actions.setConfirming('')}>
        Cancel
      </button>
    </>
  );
}

function PickBox({ entry, actions }: { entry: CatalogEntry; actions: HistoryActions }) {
  const failed = entry.state === 'failed';
  return (
    <input
      type="checkbox"
      aria-label={failed ? `${entry.id} failed: nothing to compare` : `Pick ${entry.id} for comparison`}
      disabled={failed}
      checked={!failed && actions.picked.includes(entry.id)}
      onChange={() => actions.toggle(entry.id)}
    />
  );
}

/** The outcome, and beneath it why it failed or ended and what it warned about. */
function StateCell({ entry }: { entry: CatalogEntry }) {
  const said = entry.state === 'failed' ? entry.error : entry.endReason;
  return (
    <td class={`state state-${entry.state}`}>
      {describeOutcome(entry)}
      {said ? <small class="reason">{said}</small> : null}
      {entry.arriving?.length ? (
        <small class="reason arriving">files still arriving: {entry.arriving.join(', ')}</small>
      ) : null}
      {entry.warnings?.map((warning) => (
        <small key={warning} class="reason warning">
          {warning}
        </small>
      ))}
    </td>
  );
}

function RecordingRow({
  entry,
  actions,
  revision,
}: {
  entry: CatalogEntry;
  actions: HistoryActions;
  revision: string;
}) {
  return (
    <tr>
      <td>
        <PickBox entry={entry} actions={actions} />
      </td>
      <th scope="row">
        <a href={`/recordings/${encodeURIComponent(entry.id)}`} onClick={followLink}>
          {entry.id}
        </a>
        {entry.params.note ? <small class="note">{entry.params.note}</small> : null}
      </th>
      <td>
        {entry.namespace}/{entry.pod}
      </td>
      <td>{entry.container ?? entry.params.container ?? '—'}</td>
      <td>
        {describeSelection(entry)}
        <small class="targets">{describeTargets(entry)}</small>
      </td>
      <td>{describeProfiler(entry)}</td>
      <td>
        <time dateTime={entry.startedAt}>{formatTime(entry.startedAt)}</time>
      </td>
      <td>{entry.startedBy ?? '—'}</td>
      <td>{durationOf(entry)}</td>
      <td>
        {entry.samples === undefined ? '—' : formatMeasure(entry.samples, measureOf(profileOf(entry.params)))}
      </td>
      <StateCell entry={entry} />
      <td>
        {entry.state === 'done' ? (
          <WhenVisible>
            <RegressionFlag id={entry.id} compact revision={revision} />
          </WhenVisible>
        ) : (
          '—'
        )}
        {entry.baselineOf ? (
          <small class="baseline-of">Baseline of {describeBaselineKey(entry.baselineOf)}</small>
        ) : null}
      </td>
      <td>
        <Downloads entry={entry} label={`Downloads of ${entry.id}`} />
      </td>
      <td>
        <DeleteButtons id={entry.id} actions={actions} />
      </td>
    </tr>
  );
}

export function RecordingsTable({ entries, actions }: { entries: CatalogEntry[]; actions: HistoryActions }) {
  // A recording added or deleted changes which one comes before another: the flags are asked again.
  const revision = String(entries.length);
  return (
    <div class="table-scroll">
      <table class="recordings">
        <caption>Recordings</caption>
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <RecordingRow key={entry.id} entry={entry} actions={actions} revision={revision} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
