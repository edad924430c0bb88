// A continuous Recording (spec.continuous): the operator keeps the server's selection of the same name
// (`PUT /api/v1/continuous/<namespace>/<name>`) while the Recording exists, and switches it off before the
// Recording goes (a finalizer, removed once the server's DELETE answered 204 or 404). The operator calls as
// itself; the author's own `create` on recordings/continuous was checked when the API server admitted the
// Recording (the ValidatingAdmissionPolicy of core/crd/recording-admission.ts, which the API server evaluates).
import { isDeepStrictEqual } from 'node:util';
import type { RecordingKube } from './recording-kube.ts';
import type { Recording, RecordingSpec, RecordingStatus } from './recording-types.ts';
import { ServerCallError } from './server-errors.ts';
import type { FurnaceServerClient, SelectionBody, SelectionView } from './server-client.ts';

/** What a continuous Recording's reconcile uses of the reconciler's deps (reconcile.ts). */
export interface ContinuousDeps {
  kube: RecordingKube;
  server: FurnaceServerClient;
  now: () => number;
}

export const CONTINUOUS_FINALIZER = 'furnace.hyperfoil.io/continuous';
/** How often the selection is looked at again: a server of one replica forgets it when it restarts. */
export const CONTINUOUS_RECHECK_MS = 30_000;
/** After an answer that may change (no answer, a 5xx): sooner. */
const RETRY_MS = 10_000;
/**
 * How long after the check (the policy and its binding) was created the API server surely applies it: it
 * loads admission policies asynchronously (about a second). A Recording created earlier may not have been
 * checked.
 */
export const CHECK_SETTLE_MS = 10_000;

export function isContinuous(recording: Recording): boolean {
  return recording.spec.continuous !== undefined;
}

/** The selection the spec asks for (target.selector: `{}` is every pod of the namespace). */
export function selectionBody(spec: RecordingSpec): SelectionBody {
  const frequency = spec.continuous?.frequency;
  return {
    selector: spec.target.selector ?? {},
    ...(spec.container !== undefined ? { containers: [spec.container] } : {}),
    ...(frequency !== undefined ? { frequency } : {}),
  };
}

/** Whether the server's selection is the one asked for (a frequency left to the server is any). */
export function sameSelection(found: SelectionView, wanted: SelectionBody): boolean {
  return (
    isDeepStrictEqual(found.selector, wanted.selector) &&
    isDeepStrictEqual(found.containers, wanted.containers) &&
    (wanted.frequency === undefined || found.frequency === wanted.frequency)
  );
}

/** Server paths of the selection's data: the UI page and the range query of the namespace. */
export function continuousLinks(namespace: string, container?: string): { ui: string; stacks: string } {
  const ns = encodeURIComponent(namespace);
  const only = container === undefined ? '' : `&container=${encodeURIComponent(container)}`;
  return { ui: `/continuous?ns=${ns}${only}`, stacks: `/api/v1/continuous/stacks?namespace=${ns}${only}` };
}

function onStatus(recording: Recording, selection: SelectionView, now: Date): RecordingStatus {
  const { namespace } = recording.metadata;
  const { container } = recording.spec;
  const since = recording.status?.continuous?.since ?? now.toISOString();
  const which = container === undefined ? '' : `, container ${container}`;
  return {
    phase: 'Continuous',
    observedGeneration: recording.metadata.generation ?? 0,
    message: `continuous profiling of the pods of ${namespace} that spec.target.selector picks${which}, at ${selection.frequency} Hz`,
    continuous: {
      since,
      frequency: selection.frequency,
      links: continuousLinks(namespace, container),
    },
  };
}

/** A refusal or failure of the server, as the status says it, and whether to look again sooner. */
export function describeSelectionFailure(
  namespace: string,
  error: unknown,
): { phase: 'Failed' | 'Pending'; message: string; retryMs: number } {
  if (!(error instanceof ServerCallError) || error.status === 0 || error.status >= 500)
    return {
      phase: 'Pending',
      message: `the Furnace server could not switch continuous profiling on yet: ${error instanceof Error ? error.message : String(error)}`,
      retryMs: RETRY_MS,
    };
  const said = error.body?.message ?? error.message;
  const message =
    error.status === 404
      ? `the Furnace server has no continuous profiling: it needs agent mode (spec.agent.enabled in the Furnace) (${said})`
      : error.status === 403
        ? `the operator may not switch continuous profiling on in namespace ${namespace} (forbidden: ${said})`
        : `the server refused the selection: ${said}`;
  return { phase: 'Failed', message, retryMs: CONTINUOUS_RECHECK_MS };
}

/** The server's selection as the spec asks, put there when it is missing or differs. */
async function keepSelection(deps: ContinuousDeps, recording: Recording): Promise<SelectionView> {
  const { namespace, name } = recording.metadata;
  const wanted = selectionBody(recording.spec);
  const found = (await deps.server.listSelections()).find(
    (s) => s.namespace === namespace && s.name === name,
  );
  if (found && sameSelection(found, wanted)) return found;
  return deps.server.putSelection(namespace, name, wanted);
}

/** Switched off on the server (204 or 404), then the finalizer goes and the Recording with it. */
async function release(deps: ContinuousDeps, recording: Recording): Promise<{ requeueAfterMs?: number }> {
  const finalizers = recording.metadata.finalizers ?? [];
  if (!finalizers.includes(CONTINUOUS_FINALIZER)) return {};
  const { namespace, name } = recording.metadata;
  await deps.server.deleteSelection(namespace, name);
  await deps.kube.setFinalizers(
    recording,
    finalizers.filter((f) => f !== CONTINUOUS_FINALIZER),
  );
  return {};
}

/**
 * Why the Recording's author may not have been checked: created while the ValidatingAdmissionPolicy or its
 * binding was not there (before the Furnace was installed, after it was deleted), or too soon after both
 * were made.
 */
async function uncheckedReason(deps: ContinuousDeps, recording: Recording): Promise<string | undefined> {
  const since = await deps.kube.continuousCheckSince();
  const created = new Date(recording.metadata.creationTimestamp ?? 0).getTime();
  if (since !== undefined && created >= since + CHECK_SETTLE_MS) return undefined;
  const when =
    since === undefined ? 'is not installed' : `was installed only at ${new Date(since).toISOString()}`;
  return `not switched on: the check of who may create a continuous Recording (create on recordings/continuous, the ValidatingAdmissionPolicy of the Furnace and its binding) ${when}, so this Recording's author was never checked; delete it and create it again`;
}

/** Refused unchecked: nothing stays on (a selection switched on before is switched off again). */
async function refuseUnchecked(deps: ContinuousDeps, recording: Recording, message: string) {
  const { namespace, name } = recording.metadata;
  if ((recording.metadata.finalizers ?? []).includes(CONTINUOUS_FINALIZER))
    await deps.server.deleteSelection(namespace, name);
  const status: RecordingStatus = {
    phase: 'Failed',
    observedGeneration: recording.metadata.generation ?? 0,
    message,
  };
  if (!isDeepStrictEqual(status, recording.status)) await deps.kube.writeStatus(recording, status);
  return { requeueAfterMs: CONTINUOUS_RECHECK_MS };
}

export async function reconcileContinuous(
  deps: ContinuousDeps,
  recording: Recording,
): Promise<{ requeueAfterMs?: number }> {
  if (recording.metadata.deletionTimestamp) return release(deps, recording);
  const unchecked = await uncheckedReason(deps, recording);
  if (unchecked) return refuseUnchecked(deps, recording, unchecked);
  const finalizers = recording.metadata.finalizers ?? [];
  // First the finalizer, then the selection: a selection the operator made is always switched off again.
  if (!finalizers.includes(CONTINUOUS_FINALIZER))
    await deps.kube.setFinalizers(recording, [...finalizers, CONTINUOUS_FINALIZER]);
  let status: RecordingStatus;
  let requeueAfterMs = CONTINUOUS_RECHECK_MS;
  try {
    status = onStatus(recording, await keepSelection(deps, recording), new Date(deps.now()));
  } catch (error) {
    const failure = describeSelectionFailure(recording.metadata.namespace, error);
    status = {
      phase: failure.phase,
      observedGeneration: recording.metadata.generation ?? 0,
      message: failure.message,
    };
    requeueAfterMs = failure.retryMs;
  }
  if (!isDeepStrictEqual(status, recording.status)) await deps.kube.writeStatus(recording, status);
  return { requeueAfterMs };
}
