// A recording page opened before its recording is in the catalog (it still records, or processes):
// found on its pod, shown with its progress and Stop; when it has finished, the page loads it from the
// catalog and shows its graph.
import { useState } from 'preact/hooks';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { apiPath, postJson } from '../api/client.ts';
import { RecordingProgress } from '../record/recording-progress.tsx';
import { waitForCatalog } from '../record/wait-for-catalog.ts';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { usePolling } from '../shell/use-polling.ts';
import { findOnPods, type PodRecording } from './find-running.ts';

interface LiveProps {
  id: string;
  /** What the catalog said (its 404), shown when no pod has the recording either. */
  notFound: unknown;
  /** The recording reached the catalog: load the page again. */
  onCataloged: () => void;
}

function LiveProgress({ found, onCataloged }: { found: PodRecording; onCataloged: () => void }) {
  const [status, setStatus] = useState<RecordingStatus>(found.status);
  const [problem, setProblem] = useState<unknown>(undefined);
  const [stopping, setStopping] = useState(false);
  const target = { namespace: found.namespace, pod: found.pod, container: '' };
  const onStatus = (next: RecordingStatus): void => {
    setStatus(next);
    if (next.state === 'done' || next.state === 'failed') waitForCatalog(next).then(onCataloged, setProblem);
  };
  const stop = (): void => {
    setStopping(true);
    postJson<RecordingStatus>(
      apiPath`/proxy/${found.namespace}/${found.pod}/recordings/${status.id}/stop`,
      {},
    )
      .then(onStatus, setProblem)
      .finally(() => setStopping(false));
  };
  return (
    <>
      <RecordingProgress
        target={target}
        status={status}
        onStatus={onStatus}
        onError={setProblem}
        onStop={stop}
        stopping={stopping}
      />
      {problem ? <ErrorScreen error={problem} what={`recording ${status.id}`} /> : null}
    </>
  );
}

export function LiveRecording({ id, notFound, onCataloged }: LiveProps) {
  const found = usePolling((signal) => findOnPods(id, signal), 0, id);
  if (found.loading) return <p class="loading">Looking for recording {id} on the pods…</p>;
  if (!found.data) return <ErrorScreen error={notFound} what={`recording ${id}`} onRetry={found.reload} />;
  return (
    <section class="recording" aria-labelledby="live-title">
      <h1 id="live-title">
        {found.data.namespace}/{found.data.pod} · {id}
      </h1>
      <p class="notice">This recording is not in the catalog yet: it is still running on its pod.</p>
      <LiveProgress found={found.data} onCataloged={onCataloged} />
    </section>
  );
}
