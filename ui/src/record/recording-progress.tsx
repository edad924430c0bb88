// A running recording: stage, a progressbar, elapsed and remaining time, and Stop. Polls the sidecar
// through the proxy until the recording is done or failed.
import { useEffect, useState } from 'preact/hooks';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { apiPath, getJson } from '../api/client.ts';
import { describeProgress, formatSeconds } from './progress-view.ts';
import type { Target } from './pod-picker.tsx';

const POLL_MS = 500;

export interface ProgressProps {
  target: Target;
  status: RecordingStatus;
  onStatus: (status: RecordingStatus) => void;
  onError: (error: unknown) => void;
  onStop: () => void;
  stopping: boolean;
}

/** Why recording ended and what went wrong without failing it, as the sidecar said them. */
export function Outcome({ status }: { status: Pick<RecordingStatus, 'endReason' | 'warnings'> }) {
  return (
    <>
      {status.endReason ? <p class="end-reason">Ended: {status.endReason}</p> : null}
      {status.warnings?.length ? (
        <ul class="warnings" aria-label="Warnings">
          {status.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

export function RecordingProgress({ target, status, onStatus, onError, onStop, stopping }: ProgressProps) {
  const [now, setNow] = useState(Date.now());
  const view = describeProgress(status, now);
  useEffect(() => {
    if (view.finished) return;
    const controller = new AbortController();
    const timer = window.setInterval(() => {
      setNow(Date.now());
      getJson<RecordingStatus>(
        apiPath`/proxy/${target.namespace}/${target.pod}/recordings/${status.id}`,
        controller.signal,
      ).then(onStatus, (error: unknown) => {
        if (!controller.signal.aborted) onError(error);
      });
    }, POLL_MS);
    return () => {
      controller.abort();
      window.clearInterval(timer);
    };
  }, [status.id, view.finished]);
  return (
    <section class="progress" aria-labelledby="progress-title">
      <h2 id="progress-title">Recording {status.id}</h2>
      <p class="stage">
        Stage: <strong>{view.stage}</strong> — {view.label}
      </p>
      <div
        class="bar"
        role="progressbar"
        aria-label="Recording progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={view.percent}
        aria-valuetext={`${view.percent}%, ${view.label}`}
      >
        <div class="bar-fill" style={{ width: `${view.percent}%` }} />
      </div>
      <p class="times">
        Elapsed {formatSeconds(view.elapsedSeconds)}
        {view.remainingSeconds !== undefined ? `, remaining ${formatSeconds(view.remainingSeconds)}` : ''}
        {status.samples !== undefined ? ` · ${status.samples} samples` : ''}
        {status.targets.length > 0
          ? ` · ${status.targets.map((t) => `${t.comm} (${t.pid})`).join(', ')}`
          : ''}
      </p>
      <Outcome status={status} />
      {status.state === 'recording' ? (
        <button type="button" class="stop" onClick={onStop} disabled={stopping}>
          Stop recording
        </button>
      ) : null}
    </section>
  );
}
