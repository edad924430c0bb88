// Pinning a finished recording as its workload's baseline, and unpinning it (PUT and DELETE
// /api/v1/recordings/:id/baseline): later recordings of the workload are then compared with it as well as
// with the recording before them. In a cluster the workload's name is proposed from the pod's, as the
// chosen kind's controller names pods (`web` for the Deployment pod `web-7d9f8c6b5-x2k4q`), as the server
// matches them; in local mode there is no workload, and the pin is for the program recorded, which the
// server derives as core/compare/recorded-program.ts does here.
import { useState } from 'preact/hooks';
import {
  BASELINE_KINDS,
  isBaselineWorkload,
  workloadNameOf,
  type BaselineKind,
} from '../../../core/compare/baseline-workload.ts';
import { describeBaselineKey, recordedProgramOf } from '../../../core/compare/recorded-program.ts';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { apiPath, deleteJson, putJson } from '../api/client.ts';
import { useSession } from '../shell/session.tsx';

const KIND_LABELS: Record<BaselineKind, string> = {
  deployment: 'Deployment',
  statefulset: 'StatefulSet',
  daemonset: 'DaemonSet',
  deploymentconfig: 'DeploymentConfig',
};

interface PinAction {
  busy: boolean;
  error: string | undefined;
  fail: (message: string) => void;
  /** Runs a call to the server; on success the entry is reloaded, else its message is shown. */
  act: (call: () => Promise<unknown>) => void;
}

function usePinAction(onChanged: () => void): PinAction {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const act = (call: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    call()
      .then(onChanged, (failure: unknown) =>
        setError(failure instanceof Error ? failure.message : String(failure)),
      )
      .finally(() => setBusy(false));
  };
  return { busy, error, fail: setError, act };
}

function ActionError({ error }: { error: string | undefined }) {
  return error ? (
    <p class="action-error" role="alert">
      {error}
    </p>
  ) : null;
}

function PinForm({ entry, action, path }: { entry: CatalogEntry; action: PinAction; path: string }) {
  const [kind, setKind] = useState<BaselineKind>('deployment');
  const proposed = (k: BaselineKind) => workloadNameOf(entry.pod, k).toLowerCase();
  const [name, setName] = useState(proposed('deployment'));
  // Another kind proposes its own name, unless the name was typed.
  const onKind = (next: BaselineKind) => {
    if (name === proposed(kind)) setName(proposed(next));
    setKind(next);
  };
  const onPin = (event: Event) => {
    event.preventDefault();
    const workload = `${kind}/${name.trim()}`;
    if (!isBaselineWorkload(workload))
      action.fail(`workload ${workload} is not <kind>/<name> of a DNS name in lower case`);
    else action.act(() => putJson(path, { workload }));
  };
  return (
    <form class="baseline-pin actions" aria-label="Baseline" onSubmit={onPin}>
      <label class="baseline-field">
        Workload kind
        <select value={kind} onChange={(event) => onKind(event.currentTarget.value as BaselineKind)}>
          {BASELINE_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </select>
      </label>
      <label class="baseline-field">
        Workload name
        <input
          value={name}
          required
          spellcheck={false}
          autocomplete="off"
          onInput={(event) => setName(event.currentTarget.value)}
        />
      </label>
      <button type="submit" disabled={action.busy}>
        Pin as baseline
      </button>
      <ActionError error={action.error} />
    </form>
  );
}

/** Local mode: the pin names no workload; the server keys it by what was recorded. */
function ProgramPinForm({ entry, action, path }: { entry: CatalogEntry; action: PinAction; path: string }) {
  const program = recordedProgramOf(entry);
  const onPin = (event: Event) => {
    event.preventDefault();
    action.act(() => putJson(path, {}));
  };
  return (
    <form class="baseline-pin actions" aria-label="Baseline" onSubmit={onPin}>
      <button type="submit" class="baseline-program" disabled={action.busy}>
        Pin as baseline for {program ? program.label : 'what it recorded'}
      </button>
      <span class="baseline-pinned">Later recordings of it are then compared with this one too.</span>
      <ActionError error={action.error} />
    </form>
  );
}

/** `onChanged` reloads the entry, whose `baselineOf` then says what the server kept. */
export function BaselinePin({ entry, onChanged }: { entry: CatalogEntry; onChanged: () => void }) {
  const action = usePinAction(onChanged);
  const path = apiPath`/api/v1/recordings/${entry.id}/baseline`;
  const { local } = useSession().session;
  if (!entry.baselineOf)
    return local ? (
      <ProgramPinForm entry={entry} action={action} path={path} />
    ) : (
      <PinForm entry={entry} action={action} path={path} />
    );
  return (
    <div class="baseline-pin actions" role="group" aria-label="Baseline">
      <span class="baseline-pinned">
        Pinned as the baseline of <strong>{describeBaselineKey(entry.baselineOf)}</strong>: later recordings
        of it are compared with this one
      </span>
      <button type="button" disabled={action.busy} onClick={() => action.act(() => deleteJson(path))}>
        Unpin
      </button>
      <ActionError error={action.error} />
    </div>
  );
}
