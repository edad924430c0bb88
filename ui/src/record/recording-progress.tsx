// A running recording: stage, a progressbar, elapsed and remaining time, and Stop. Polls the sidecar
// through the proxy until the recording is done or failed.
import { useEffect, useState } from 'preact/hooks';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { apiPath, getJson } from '../api/client.ts';
import { describeProgress, formatSeconds } from './progress-view.ts';
import type { Target } from './pod-picker.tsx';

const POLL_MS = 500;
/**
 * Once recording has ended (a stop or the clock), what is left takes well under a second or two: asked
 * this often, the page learns it is done within about 100 ms of the sidecar, not 250 (bench:stop-to-graph).
 */
const PROCESSING_POLL_MS = 100;

export interface ProgressProps {
  target: Target;
  status: RecordingStatus;
  onStatus: (status: RecordingStatus) => void;
  onError: (error: unknown) => void;
  onStop: () => void;
  stopping: boolean;
  /** Recording until Stop: no time remaining to count down, only the server's cap. */
  untilStopped?: boolean;
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

/**
 * Asks the sidecar for the status again and again until it is finished: each ask after the last answer
 * (a slow answer never piles asks up), every POLL_MS while recording, every PROCESSING_POLL_MS once a
 * stop was asked or recording has ended.
 */
function usePolledStatus(props: ProgressProps, fast: boolean, finished: boolean, tick: () => void): void {
  const { target, status, onStatus, onError } = props;
  useEffect(() => {
    if (finished) return;
    const controller = new AbortController();
    let timer: number | undefined;
    const ask = (): void => {
      tick();
      getJson<RecordingStatus>(
        apiPath`/proxy/${target.namespace}/${target.pod}/recordings/${status.id}`,
        controller.signal,
      )
        .then(onStatus, (error: unknown) => {
          if (!controller.signal.aborted) onError(error);
        })
        .finally(() => {
          if (!controller.signal.aborted) timer = window.setTimeout(ask, fast ? PROCESSING_POLL_MS : POLL_MS);
        });
    };
    timer = window.setTimeout(ask, fast ? PROCESSING_POLL_MS : POLL_MS);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [status.id, finished, fast]);
}

export function RecordingProgress(props: ProgressProps) {
  const { status, onStop, stopping } = props;
  const [now, setNow] = useState(Date.now());
  const [stopAskedFor, setStopAskedFor] = useState('');
  const untilStopped = props.untilStopped === true;
  const view = describeProgress(status, now, untilStopped);
  const fast = stopAskedFor === status.id || status.state === 'processing';
  usePolledStatus(props, fast, view.finished, () => setNow(Date.now()));
  const stop = (): void => {
    setStopAskedFor(status.id);
    onStop();
  };
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
        {untilStopped && status.state === 'recording'
          ? `, until you stop it (at most ${formatSeconds(status.params.durationSeconds)})`
          : ''}
        {status.samples !== undefined ? ` · ${status.samples} samples` : ''}
        {status.targets.length > 0
          ? ` · ${status.targets.map((t) => `${t.comm} (${t.pid})`).join(', ')}`
          : ''}
      </p>
      <Outcome status={status} />
      {status.state === 'recording' ? (
        <button type="button" class="stop" onClick={stop} disabled={stopping}>
          Stop recording
        </button>
      ) : null}
    </section>
  );
}
