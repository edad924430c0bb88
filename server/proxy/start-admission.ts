// Admits a start request on its way to the sidecar: its parameters (pure, start-decision.ts), the
// permissions beyond `create` that a whole-node recording (`create` on recordings/system-wide) or a
// bpftrace program (`create` on recordings/bpftrace, cluster-wide: it can read kernel memory) needs, as the
// proxy's route guard declares them (proxy-guard.ts), then a concurrency slot. Counting the running recordings and reserving the slot happen in one
// synchronous step, with no await between them, so parallel starts cannot all see the same free room.
// The proxy commits the reservation with the recording id the sidecar answers, or it is released.
import { FurnaceError } from '../../core/contract/errors.ts';
import type { RecordingLimits } from '../../core/contract/limits.ts';
import type { RecordingParams } from '../../core/contract/recording-params.ts';
import type { SinkRule } from '../../core/sinks/sink-choice.ts';
import type { Reservation, RunningRecordings } from './running-recordings.ts';
import { decideStartParams, decideStartSlot } from './start-decision.ts';
import type { Identity } from '../auth/identity.ts';
import type { SharedSlots, TakeResult } from '../slots/lease-slots.ts';
import { BPFTRACE_SUBRESOURCE, SYSTEM_WIDE_SUBRESOURCE } from './proxy-guard.ts';

export interface StartAdmissionDeps {
  limitsFor: (namespace: string) => Readonly<RecordingLimits>;
  running: RunningRecordings;
  now: () => number;
  /** The server setting `recording.allowSystemWide`. */
  allowSystemWide: boolean;
  /** The server's sinks, which a start may name. */
  sinks?: readonly SinkRule[];
  /** How long a reservation may wait for the sidecar's answer before it stops counting. */
  reservationSeconds: number;
  /** Several replicas: the slots are Leases every replica sees (server/slots/), not this one's memory. */
  sharedSlots?: SharedSlots;
}

export interface StartRequest {
  identity: Identity;
  namespace: string;
  pod: string;
  /** Demands a permission the route declared (route-guard.ts `demands`): a 403 naming it when refused. */
  demand: (name: string) => Promise<void>;
  /** The request body as received (empty when there was none). */
  body: Buffer;
  /** Its idempotency key, hashed with the user (start-key.ts). */
  startKey?: string;
}

export interface AdmittedStart {
  params: RecordingParams;
  reservation: Reservation;
}

/** A retried start whose key already started recording `replay` on the pod: nothing goes to the recorder. */
export interface ReplayedStart {
  replay: string;
  /** The recorder's answer to the first attempt, when kept. */
  answer?: string;
}

/** Throws the refusal (400 parameters or setting, 403 permission, 400 concurrency); else holds a slot. */
export async function admitStart(
  deps: StartAdmissionDeps,
  start: StartRequest,
): Promise<AdmittedStart | ReplayedStart> {
  const { namespace } = start;
  const limits = deps.limitsFor(namespace);
  const decided = decideStartParams({
    body: start.body.length > 0 ? start.body : undefined,
    limits,
    allowSystemWide: deps.allowSystemWide,
    sinks: deps.sinks ?? [],
    namespace,
  });
  if (!decided.allowed) throw decided.error;
  if (decided.params.systemWide) await start.demand(SYSTEM_WIDE_SUBRESOURCE);
  if (decided.params.profiler === 'bpftrace') await start.demand(BPFTRACE_SUBRESOURCE);
  // Checked after the parameters and permissions: a retry is admitted like the first attempt was.
  const replay = start.startKey && deps.running.startedWith(namespace, start.pod, start.startKey);
  if (replay) return { replay: replay.recording, ...(replay.answer ? { answer: replay.answer } : {}) };
  if (deps.sharedSlots) {
    const taken = await takeSharedSlots(deps, deps.sharedSlots, start, limits);
    return 'replay' in taken ? taken : { params: decided.params, reservation: taken };
  }
  const slot = decideStartSlot({
    namespace,
    limits,
    runningInNamespace: deps.running.countNamespace(namespace),
    runningInCluster: deps.running.countAll(),
  });
  if (!slot.allowed) throw slot.error;
  const reservation = deps.running.reserve({
    namespace,
    pod: start.pod,
    deadline: deps.now() + deps.reservationSeconds * 1000,
    startedBy: start.identity.user,
    ...(start.startKey ? { startKey: start.startKey } : {}),
  });
  return { params: decided.params, reservation };
}

/** The refusal of a shared slot, in the words the server uses with one replica. */
function sharedRefusal(
  result: Exclude<TakeResult, { taken: true }>,
  start: StartRequest,
  limits: Readonly<RecordingLimits>,
): FurnaceError {
  const { namespace, pod } = start;
  if (result.busy === 'pod') {
    const by = result.startedBy === undefined ? '' : ` (started by ${result.startedBy})`;
    const what = result.recording
      ? `pod ${namespace}/${pod} already runs recording ${result.recording}${by}`
      : `a start of pod ${namespace}/${pod} is already on its way to its recorder${by}`;
    return new FurnaceError('ERR_RECORDING_RUNNING', what, {
      namespace,
      pod,
      ...(result.recording ? { recording: result.recording } : {}),
    });
  }
  if ('contended' in result)
    return new FurnaceError(
      'ERR_UNAVAILABLE',
      `the ${result.busy} start slots were taken by other starts at the same moment; try again`,
      { field: result.busy },
    );
  const inNamespace = result.busy === 'namespace' ? result.running : 0;
  const inCluster = result.busy === 'cluster' ? result.running : 0;
  const slot = decideStartSlot({
    namespace,
    limits,
    runningInNamespace: inNamespace,
    runningInCluster: inCluster,
  });
  return slot.allowed
    ? new FurnaceError('ERR_LIMIT_EXCEEDED', `no ${result.busy} start slot is free`, { field: result.busy })
    : slot.error;
}

/** Takes the pod's, a namespace's and a cluster slot on the API server; this replica's memory notes the start too. */
async function takeSharedSlots(
  deps: StartAdmissionDeps,
  shared: SharedSlots,
  start: StartRequest,
  limits: Readonly<RecordingLimits>,
): Promise<Reservation | ReplayedStart> {
  let result: TakeResult;
  try {
    result = await shared.take({
      namespace: start.namespace,
      pod: start.pod,
      startedBy: start.identity.user,
      ...(start.startKey ? { startKey: start.startKey } : {}),
      maxPerNamespace: limits.maxConcurrentPerNamespace,
      maxPerCluster: limits.maxConcurrentPerCluster,
    });
  } catch (error) {
    const failure = new FurnaceError(
      'ERR_UNAVAILABLE',
      'the Kubernetes API server could not take a start slot',
    );
    failure.cause = error;
    throw failure;
  }
  if (!result.taken) {
    // The same key's start holds the pod (a retry through another replica): its recording, once committed.
    if (result.busy === 'pod' && result.recording && start.startKey && result.startKey === start.startKey)
      return { replay: result.recording, ...(result.answer ? { answer: result.answer } : {}) };
    throw sharedRefusal(result, start, limits);
  }
  const { held } = result;
  const local = deps.running.reserve({
    namespace: start.namespace,
    pod: start.pod,
    deadline: deps.now() + deps.reservationSeconds * 1000,
    startedBy: start.identity.user,
    ...(start.startKey ? { startKey: start.startKey } : {}),
  });
  return {
    commit(id, deadline, answer) {
      void local.commit(id, deadline, answer);
      return held.commit(id, deadline, answer);
    },
    release() {
      local.release();
      held.release();
    },
  };
}
