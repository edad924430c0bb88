// Recordings the pods are recording or processing now (not in the catalog yet): state, stage, elapsed
// time, and Stop. Found through the proxy on every registered pod, refreshed every few seconds; one that
// has finished stays until the catalog holds it.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { apiPath, postJson } from '../api/client.ts';
import { findInProgress, type PodRecording } from '../live/find-running.ts';
import { describeProgress, formatSeconds } from '../record/progress-view.ts';
import { followLink } from '../routing/router.ts';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { usePolling } from '../shell/use-polling.ts';

const POLL_MS = 3000;

/** How long a finished recording waits here for the catalog before it is let go (its pod may be gone). */
const KEEP_FINISHED_MS = 30_000;

interface Row {
  found: PodRecording;
  /** When it left the pod's list of recordings in progress; undefined while it is there. */
  finishedAt?: number;
}

function InProgressRow({ row, onStop }: { row: Row; onStop: (found: PodRecording) => void }) {
  const { found } = row;
  const { status } = found;
  const finished = row.finishedAt !== undefined;
  const view = describeProgress(status, finished ? (row.finishedAt ?? Date.now()) : Date.now());
  return (
    <tr>
      <th scope="row">
        <a href={`/recordings/${encodeURIComponent(status.id)}`} onClick={followLink}>
          {status.id}
        </a>
      </th>
      <td>
        {found.namespace}/{found.pod}
      </td>
      <td>{status.targets.map((t) => `${t.comm} (${t.pid})`).join(', ') || '—'}</td>
      <td>{finished ? 'finished' : status.state}</td>
      <td>{finished ? 'Adding to the catalog' : view.label}</td>
      <td>{formatSeconds(view.elapsedSeconds)}</td>
      <td>
        {status.state === 'recording' && !finished ? (
          <button type="button" aria-label={`Stop ${status.id}`} onClick={() => onStop(found)}>
            Stop
          </button>
        ) : null}
      </td>
    </tr>
  );
}

/**
 * The recordings in progress, and those that left the pods' lists but are not in the catalog yet (a
 * recording ends on its pod after its upload; the catalog is read again then, but its answer comes
 * later): a recording is never missing from both tables. Calls onFinished when one leaves.
 */
function useRows(
  running: PodRecording[] | undefined,
  cataloged: ReadonlySet<string>,
  onFinished: () => void,
): Row[] {
  const rows = useRef(new Map<string, Row>());
  const now = Date.now();
  let left = false;
  if (running) {
    const ids = new Set(running.map((found) => found.status.id));
    for (const [id, row] of rows.current)
      if (!ids.has(id) && row.finishedAt === undefined) {
        rows.current.set(id, { ...row, finishedAt: now });
        left = true;
      }
    for (const found of running) rows.current.set(found.status.id, { found });
  }
  for (const [id, row] of rows.current)
    if (row.finishedAt !== undefined && (cataloged.has(id) || now - row.finishedAt > KEEP_FINISHED_MS))
      rows.current.delete(id);
  useEffect(() => {
    if (left) onFinished();
  });
  return [...rows.current.values()];
}

export interface InProgressTableProps {
  /** The ids the catalog holds, as History last read it. */
  cataloged: ReadonlySet<string>;
  /** A recording left the pods' lists: read the catalog again. */
  onFinished: () => void;
}

export function InProgressTable({ cataloged, onFinished }: InProgressTableProps) {
  const running = usePolling((signal) => findInProgress(signal), POLL_MS, 'in-progress');
  const [problem, setProblem] = useState<unknown>(undefined);
  const list = useRows(running.data, cataloged, onFinished);
  const stop = (found: PodRecording): void => {
    const path = apiPath`/proxy/${found.namespace}/${found.pod}/recordings/${found.status.id}/stop`;
    postJson<RecordingStatus>(path, {}).then(running.reload, setProblem);
  };
  if (list.length === 0 && !problem) return null;
  return (
    <>
      {problem ? <ErrorScreen error={problem} what="the stop" /> : null}
      <table class="recordings in-progress">
        <caption>Recordings in progress</caption>
        <thead>
          <tr>
            {['Recording', 'Pod', 'Processes', 'State', 'Stage', 'Elapsed', 'Actions'].map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {list.map((row) => (
            <InProgressRow key={row.found.status.id} row={row} onStop={stop} />
          ))}
        </tbody>
      </table>
    </>
  );
}
