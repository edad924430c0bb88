// Recordings the pods are recording or processing now (not in the catalog yet): state, stage, elapsed
// time, and Stop. Found through the proxy on every registered pod, refreshed every few seconds.
import { useState } from 'preact/hooks';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { apiPath, postJson } from '../api/client.ts';
import { findInProgress, type PodRecording } from '../live/find-running.ts';
import { describeProgress, formatSeconds } from '../record/progress-view.ts';
import { followLink } from '../routing/router.ts';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { usePolling } from '../shell/use-polling.ts';

const POLL_MS = 3000;

function InProgressRow({ found, onStop }: { found: PodRecording; onStop: (found: PodRecording) => void }) {
  const { status } = found;
  const view = describeProgress(status, Date.now());
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
      <td>{status.state}</td>
      <td>{view.label}</td>
      <td>{formatSeconds(view.elapsedSeconds)}</td>
      <td>
        {status.state === 'recording' ? (
          <button type="button" aria-label={`Stop ${status.id}`} onClick={() => onStop(found)}>
            Stop
          </button>
        ) : null}
      </td>
    </tr>
  );
}

export function InProgressTable() {
  const running = usePolling((signal) => findInProgress(signal), POLL_MS, 'in-progress');
  const [problem, setProblem] = useState<unknown>(undefined);
  const stop = (found: PodRecording): void => {
    const path = apiPath`/proxy/${found.namespace}/${found.pod}/recordings/${found.status.id}/stop`;
    postJson<RecordingStatus>(path, {}).then(running.reload, setProblem);
  };
  const list = running.data ?? [];
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
          {list.map((found) => (
            <InProgressRow key={found.status.id} found={found} onStop={stop} />
          ))}
        </tbody>
      </table>
    </>
  );
}
