// The history table: one row per recording with its pick box, link, facts, downloads and Delete.
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { Downloads } from '../pages/downloads.tsx';
import { durationOf, formatTime } from '../pages/recording-summary.tsx';
import { followLink } from '../routing/router.ts';
import type { HistoryActions } from './use-history-actions.ts';

const COLUMNS = [
  'Pick',
  'Recording',
  'Pod',
  'Container',
  'Started',
  'Started by',
  'Duration',
  'Samples',
  'State',
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

function RecordingRow({ entry, actions }: { entry: CatalogEntry; actions: HistoryActions }) {
  return (
    <tr>
      <td>
        <input
          type="checkbox"
          aria-label={`Pick ${entry.id} for comparison`}
          checked={actions.picked.includes(entry.id)}
          onChange={() => actions.toggle(entry.id)}
        />
      </td>
      <th scope="row">
        <a href={`/recordings/${encodeURIComponent(entry.id)}`} onClick={followLink}>
          {entry.id}
        </a>
      </th>
      <td>
        {entry.namespace}/{entry.pod}
      </td>
      <td>{entry.container ?? entry.params.container ?? '—'}</td>
      <td>
        <time dateTime={entry.startedAt}>{formatTime(entry.startedAt)}</time>
      </td>
      <td>{entry.startedBy ?? '—'}</td>
      <td>{durationOf(entry)}</td>
      <td>{entry.samples?.toLocaleString('en') ?? '—'}</td>
      <td title={entry.error}>{entry.state}</td>
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
  return (
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
          <RecordingRow key={entry.id} entry={entry} actions={actions} />
        ))}
      </tbody>
    </table>
  );
}
