// One recording of the form's target: start it, stop it, follow its status, and open it once it is in
// the catalog. A refusal becomes a problem: next to the field the server named, or under the form.
import { useRef, useState } from 'preact/hooks';
import type { RecordingLimits } from '../../../core/contract/limits.ts';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { ApiError, apiPath, postJson, postStart } from '../api/client.ts';
import { navigate } from '../routing/router.ts';
import type { Target } from './pod-picker.tsx';
import { fieldOfError, startBody, type FormField as Field, type FormValues } from './start-request.ts';
import { inFormWords } from './field-texts.ts';
import { readRunning, useAttachRunning } from './use-attach.ts';
import { waitForCatalog } from './wait-for-catalog.ts';
import { useEarlyTree } from './early-tree.ts';
import { rememberUntilStopped } from './until-stopped-memory.ts';
import { offerRecording } from '../viewer/load-recording.ts';
import type { FlameNode } from '../../../core/render/flame-tree.ts';

export interface Problem {
  field: Field | undefined;
  message: string;
  /** The recording a refused start found running (its page shows its progress). */
  runningId?: string;
}

/** The problem an error means, in the form's words; a pattern refused while only a PID was given is the PID's. */
function problemOf(error: unknown, values: FormValues): Problem {
  const api = error instanceof ApiError ? error : new ApiError(0, 'ERR_UNKNOWN', String(error));
  let field = fieldOfError(api);
  if (field === 'processPattern' && values.processPattern.trim() === '' && values.pid.trim() !== '')
    field = 'pid';
  const running = api.code === 'ERR_RECORDING_RUNNING' ? api.details.id : undefined;
  return {
    field,
    message: inFormWords(api.message),
    ...(typeof running === 'string' ? { runningId: running } : {}),
  };
}

/** How long opening the recording waits for a read of the tree that is under way; then its page reads its own. */
const TREE_WAIT_MS = 2000;

function withinMs<T>(promise: Promise<T> | undefined, ms: number): Promise<T | undefined> {
  if (promise === undefined) return Promise.resolve(undefined);
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms)),
  ]);
}

export interface Recording {
  status: RecordingStatus | undefined;
  problem: Problem | undefined;
  /** A start or stop request is under way. */
  busy: boolean;
  /** The flame graph read from the sidecar before the upload ends (early-tree.ts). */
  earlyTree: FlameNode | undefined;
  onStatus: (status: RecordingStatus) => void;
  fail: (error: unknown) => void;
  start: (event: Event) => void;
  stop: () => void;
  /** Forgets the last problem (the user changed what it was about). */
  dismiss: () => void;
}

export function useRecording(
  target: Target,
  values: FormValues,
  max: RecordingLimits | undefined,
): Recording {
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [status, setStatus] = useState<RecordingStatus | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  // The stop answer and the last poll can both report `done`: open the recording once.
  const opening = useRef('');
  // The recording Stop was asked for: its tree is read from then on, the read waiting at the sidecar.
  const [stopAsked, setStopAsked] = useState('');
  const early = useEarlyTree(target, status, status !== undefined && stopAsked === status.id);
  const fail = (error: unknown): void => {
    const found = problemOf(error, values);
    setProblem(found);
    // A start refused because one runs: take that one over, with its progress and Stop.
    if (found.runningId !== undefined) readRunning(target, found.runningId).then(onStatus, () => undefined);
  };
  const onStatus = (next: RecordingStatus): void => {
    setStatus(next);
    if (next.state === 'failed')
      setProblem({ field: undefined, message: `The recording failed: ${next.error ?? 'no reason given'}` });
    if (next.state === 'done' && opening.current !== next.id) {
      opening.current = next.id;
      // The tree read from the sidecar (if a read began) goes to the recording's page with the entry.
      const tree = withinMs(early.reading(next.id), TREE_WAIT_MS);
      Promise.all([waitForCatalog(next), tree]).then(([entry, root]) => {
        offerRecording(entry, root);
        navigate(`/recordings/${encodeURIComponent(next.id)}`);
      }, fail);
    }
  };
  useAttachRunning(target, onStatus);
  const send = (path: string, body: unknown, post = postJson<RecordingStatus>): void => {
    setBusy(true);
    post(path, body)
      .then(onStatus, fail)
      .finally(() => setBusy(false));
  };
  const start = (event: Event): void => {
    event.preventDefault();
    setProblem(undefined);
    const untilStopped = values.untilStopped;
    send(
      apiPath`/proxy/${target.namespace}/${target.pod}/recordings`,
      startBody({ ...values, container: target.container }, max),
      (path, body) =>
        postStart<RecordingStatus>(path, body).then((started) => {
          if (untilStopped) rememberUntilStopped(started.id);
          return started;
        }),
    );
  };
  const stop = (): void => {
    if (!status) return;
    setStopAsked(status.id);
    send(apiPath`/proxy/${target.namespace}/${target.pod}/recordings/${status.id}/stop`, {});
  };
  const dismiss = (): void => setProblem(undefined);
  return { status, problem, busy, earlyTree: early.tree, onStatus, fail, start, stop, dismiss };
}
