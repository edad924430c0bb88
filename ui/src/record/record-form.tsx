// The recording form for one pod: duration (or until Stop), profiler (a bpftrace program for bpftrace),
// frequency, process pattern or PID (local mode), symbol source; Start and Stop; the server's errors next
// to the field that caused them, or under the form (a 403 for bpftrace names the permission it needs).
import { useRef, useState } from 'preact/hooks';
import { LOCAL_NAMESPACE } from '../../../core/contract/names.ts';
import type { CatalogEntry, RecordingStatus } from '../../../core/contract/recording.ts';
import type { LimitsView } from '../../../core/contract/ui-contract.ts';
import { ApiError, apiPath, getJson, postJson } from '../api/client.ts';
import { navigate } from '../routing/router.ts';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { usePolling } from '../shell/use-polling.ts';
import { FormField } from './form-field.tsx';
import { ProfilerFields } from './profiler-fields.tsx';
import type { Target } from './pod-picker.tsx';
import { RecordingProgress } from './recording-progress.tsx';
import {
  awaitedArtifact,
  fieldOfError,
  startBody,
  type FormField as Field,
  type FormValues,
} from './start-request.ts';

interface Problem {
  field: Field | undefined;
  message: string;
}

const INITIAL: FormValues = {
  durationSeconds: '10',
  untilStopped: false,
  frequency: '99',
  processPattern: '',
  pid: '',
  symbols: 'proc',
  container: '',
  profiler: 'perf',
  pprofPort: '',
  bpftraceProgram: '',
};

async function waitForCatalog(status: RecordingStatus): Promise<void> {
  const id = status.id;
  const awaited = awaitedArtifact(status);
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      const entry = await getJson<CatalogEntry>(apiPath`/api/v1/recordings/${id}`);
      if (entry.artifacts.some((a) => a.name === awaited) || entry.state === 'failed') return;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export function RecordForm({ target }: { target: Target }) {
  const [values, setValues] = useState(INITIAL);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [status, setStatus] = useState<RecordingStatus | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  // The stop answer and the last poll can both report `done`: open the recording once.
  const opening = useRef('');
  const limits = usePolling(
    (signal) =>
      getJson<LimitsView>(`/api/v1/limits?namespace=${encodeURIComponent(target.namespace)}`, signal),
    0,
    target.namespace,
  );
  const max = limits.data?.limits;
  const local = target.namespace === LOCAL_NAMESPACE;
  const bpftrace = values.profiler === 'bpftrace';
  const set = (patch: Partial<FormValues>): void => setValues((old) => ({ ...old, ...patch }));
  const errorFor = (field: Field): string | undefined =>
    problem?.field === field ? problem.message : undefined;
  const fail = (error: unknown): void => {
    const api = error instanceof ApiError ? error : new ApiError(0, 'ERR_UNKNOWN', String(error));
    let field = fieldOfError(api);
    if (field === 'processPattern' && values.processPattern.trim() === '' && values.pid.trim() !== '')
      field = 'pid';
    setProblem({ field, message: api.message });
  };

  const onStatus = (next: RecordingStatus): void => {
    setStatus(next);
    if (next.state === 'failed')
      setProblem({ field: undefined, message: `The recording failed: ${next.error ?? 'no reason given'}` });
    if (next.state === 'done' && opening.current !== next.id) {
      opening.current = next.id;
      waitForCatalog(next).then(() => navigate(`/recordings/${encodeURIComponent(next.id)}`), fail);
    }
  };

  const start = (event: Event): void => {
    event.preventDefault();
    setProblem(undefined);
    setBusy(true);
    const body = startBody({ ...values, container: target.container }, max);
    postJson<RecordingStatus>(apiPath`/proxy/${target.namespace}/${target.pod}/recordings`, body)
      .then(onStatus, fail)
      .finally(() => setBusy(false));
  };

  const stop = (): void => {
    if (!status) return;
    setBusy(true);
    postJson<RecordingStatus>(
      apiPath`/proxy/${target.namespace}/${target.pod}/recordings/${status.id}/stop`,
      {},
    )
      .then(onStatus, fail)
      .finally(() => setBusy(false));
  };

  const running = status !== undefined && status.state !== 'failed';
  if (limits.error)
    return <ErrorScreen error={limits.error} what="the recording limits" onRetry={limits.reload} />;
  return (
    <form class="record-form" onSubmit={start} aria-labelledby="record-form-title">
      <h2 id="record-form-title">
        Record {target.namespace}/{target.pod}
        {target.container ? ` (${target.container})` : ''}
      </h2>
      <FormField
        id="duration"
        label="Duration (seconds)"
        hint={max ? `1 to ${max.maxDurationSeconds} seconds (server limit)` : 'loading the limit…'}
        error={errorFor('durationSeconds')}
      >
        {(describedBy, invalid) => (
          <input
            id="duration"
            type="text"
            inputMode="numeric"
            value={values.untilStopped && max ? String(max.maxDurationSeconds) : values.durationSeconds}
            disabled={values.untilStopped || running}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onInput={(event) => set({ durationSeconds: event.currentTarget.value })}
          />
        )}
      </FormField>
      <div class="field checkbox">
        <input
          id="until-stopped"
          type="checkbox"
          checked={values.untilStopped}
          disabled={running}
          onChange={(event) => set({ untilStopped: event.currentTarget.checked })}
        />
        <label for="until-stopped">Until stopped (at most the limit)</label>
      </div>
      <ProfilerFields values={values} set={set} running={running} errorFor={errorFor} />
      {bpftrace ? null : (
        <FormField
          id="frequency"
          label="Frequency (Hz)"
          hint={max ? `1 to ${max.maxFrequency} Hz (server limit)` : 'loading the limit…'}
          error={errorFor('frequency')}
        >
          {(describedBy, invalid) => (
            <input
              id="frequency"
              type="text"
              inputMode="numeric"
              value={values.frequency}
              disabled={running}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onInput={(event) => set({ frequency: event.currentTarget.value })}
            />
          )}
        </FormField>
      )}
      <FormField
        id="process-pattern"
        label="Process pattern"
        hint="A regular expression matched like pgrep: process names first, then full command lines (at most 256 characters)."
        error={errorFor('processPattern')}
      >
        {(describedBy, invalid) => (
          <input
            id="process-pattern"
            type="text"
            value={values.processPattern}
            disabled={running}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onInput={(event) => set({ processPattern: event.currentTarget.value })}
          />
        )}
      </FormField>
      {local ? (
        <FormField id="pid" label="PID" hint="Or one process by its ID (local mode)." error={errorFor('pid')}>
          {(describedBy, invalid) => (
            <input
              id="pid"
              type="text"
              inputMode="numeric"
              value={values.pid}
              disabled={running}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onInput={(event) => set({ pid: event.currentTarget.value })}
            />
          )}
        </FormField>
      ) : null}
      {bpftrace ? null : (
        <FormField
          id="symbols"
          label="Symbol source"
          hint="Where function names come from."
          error={errorFor('symbols')}
        >
          {(describedBy) => (
            <select
              id="symbols"
              value={values.symbols}
              disabled={running}
              aria-describedby={describedBy}
              onChange={(event) => set({ symbols: event.currentTarget.value })}
            >
              <option value="proc">The running processes (/proc)</option>
              <option value="image">The container image</option>
            </select>
          )}
        </FormField>
      )}
      <div class="actions">
        {running ? null : (
          <button type="submit" disabled={busy}>
            Start recording
          </button>
        )}
        {problem && problem.field === undefined ? (
          <p class="action-error" role="alert">
            {problem.message}
          </p>
        ) : null}
      </div>
      {status ? (
        <RecordingProgress
          target={target}
          status={status}
          onStatus={onStatus}
          onError={fail}
          onStop={stop}
          stopping={busy}
        />
      ) : null}
    </form>
  );
}
