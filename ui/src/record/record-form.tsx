// The recording form for one pod: duration (or until Stop), profiler (a bpftrace program for bpftrace),
// frequency, call graph, process pattern or PID (local mode), symbol source, a note; the processes it would record
// now; Start and Stop; the server's errors next to the field that caused them, or under the form (a 403
// for bpftrace names the permission it needs). A recording the pod already runs is taken over.
import { useEffect, useState } from 'preact/hooks';
import type { LimitsView } from '../../../core/contract/ui-contract.ts';
import { getJson } from '../api/client.ts';
import { TextField } from '../controls/text-field.tsx';
import { followLink } from '../routing/router.ts';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { useSession } from '../shell/session.tsx';
import { usePolling } from '../shell/use-polling.ts';
import { DurationFields } from './duration-fields.tsx';
import { bindField, type FieldGroupProps } from './field-group.ts';
import type { Target } from './pod-picker.tsx';
import { ProcessMatches, processQuery } from './process-matches.tsx';
import { ProfilerFields } from './profiler-fields.tsx';
import { RecordingProgress } from './recording-progress.tsx';
import { EarlyGraph } from './early-graph.tsx';
import { SamplingFields } from './sampling-fields.tsx';
import type { FormField as Field, FormValues } from './start-request.ts';
import { useRecording, type Problem } from './use-recording.ts';
import { startedUntilStopped } from './until-stopped-memory.ts';

/** Until the server's defaults arrive (GET /api/v1/limits), the numbers are empty rather than guessed. */
const INITIAL: FormValues = {
  durationSeconds: '',
  untilStopped: false,
  frequency: '',
  processPattern: '',
  pid: '',
  symbols: 'proc',
  callGraph: 'auto',
  container: '',
  profiler: 'perf',
  profile: 'cpu',
  pprofPort: '',
  bpftraceProgram: '',
  note: '',
};

/** Start (until a recording runs) and a problem that no field was named for. */
function FormActions({ running, busy, problem }: { running: boolean; busy: boolean; problem?: Problem }) {
  const runningId = problem?.runningId;
  return (
    <div class="actions">
      {running ? null : (
        <button type="submit" disabled={busy}>
          Start recording
        </button>
      )}
      {problem && problem.field === undefined ? (
        <p class="action-error" role="alert">
          {problem.message}
          {runningId !== undefined ? (
            <>
              {' '}
              <a href={`/recordings/${encodeURIComponent(runningId)}`} onClick={followLink}>
                Open recording {runningId}
              </a>
            </>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}

/** The form's values, with the server's defaults for the namespace once they arrive. */
function useFormValues(limits: LimitsView | undefined) {
  const [values, setValues] = useState(INITIAL);
  // Set with the defaults, in the same render: the limited fields open only once their defaults are in.
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (!limits) return;
    setReady(true);
    const { defaults } = limits;
    setValues((old) => ({
      ...old,
      durationSeconds: old.durationSeconds || String(defaults.durationSeconds),
      frequency: old.frequency || String(defaults.frequency),
      symbols: defaults.symbols === 'image' || defaults.symbols === 'proc' ? defaults.symbols : old.symbols,
    }));
  }, [limits]);
  return {
    values,
    ready,
    set: (patch: Partial<FormValues>) => setValues((old) => ({ ...old, ...patch })),
  };
}

/**
 * A start refused because nothing matched says so under the field, with its count of processes; the
 * preview would say it again with a count of its own, so it waits until the field is edited.
 */
function refusedSelection(problem: Problem | undefined): boolean {
  return problem?.field === 'processPattern' || problem?.field === 'pid';
}

export function RecordForm({ target }: { target: Target }) {
  const limits = usePolling(
    (signal) =>
      getJson<LimitsView>(`/api/v1/limits?namespace=${encodeURIComponent(target.namespace)}`, signal),
    0,
    target.namespace,
  );
  const { values, ready, set } = useFormValues(limits.data);
  const max = ready ? limits.data?.limits : undefined;
  const recording = useRecording(target, values, max);
  const { status, problem, busy } = recording;
  const running = status !== undefined && status.state !== 'failed';
  const { local } = useSession().session;
  const refused = refusedSelection(problem);
  const group: FieldGroupProps = {
    values,
    set: (patch) => {
      if (refused && ('processPattern' in patch || 'pid' in patch)) recording.dismiss();
      set(patch);
    },
    running,
    errorFor: (field: Field) => (problem?.field === field ? problem.message : undefined),
  };
  if (limits.error)
    return <ErrorScreen error={limits.error} what="the recording limits" onRetry={limits.reload} />;
  const early = status !== undefined && recording.earlyTree !== undefined ? status.id : undefined;
  return (
    <>
      <form class="record-form" onSubmit={recording.start} aria-labelledby="record-form-title">
        <h2 id="record-form-title">
          Record {target.namespace}/{target.pod}
          {target.container ? ` (${target.container})` : ''}
        </h2>
        <DurationFields {...group} max={max} />
        <ProfilerFields {...group} />
        <SamplingFields {...group} max={max} local={local} />
        {running || refused ? null : <ProcessMatches path={processQuery(values, target, local)} />}
        <TextField {...bindField(group, 'note')} />
        <FormActions running={running} busy={busy} problem={problem} />
        {status ? (
          <RecordingProgress
            target={target}
            status={status}
            onStatus={recording.onStatus}
            onError={recording.fail}
            onStop={recording.stop}
            stopping={busy}
            untilStopped={values.untilStopped || startedUntilStopped(status.id)}
          />
        ) : null}
      </form>
      {early !== undefined && recording.earlyTree ? (
        <EarlyGraph id={early} tree={recording.earlyTree} />
      ) : null}
    </>
  );
}
