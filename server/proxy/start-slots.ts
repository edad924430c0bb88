// Where a start's concurrency slots are held: the port start admission asks, its adapter chosen once at
// start-up. One replica: this process's memory, counted and reserved in one synchronous step, so parallel
// starts cannot all see the same free room. Several replicas: a Lease per pod, namespace and cluster slot
// on the API server (server/slots/), which every replica sees; this replica's memory notes the start too.
import { FurnaceError } from '../../core/contract/errors.ts';
import type { RecordingLimits } from '../../core/contract/limits.ts';
import type { SharedSlots, TakeResult } from '../slots/shared-slots.ts';
import type { Reservation, RunningRecordings } from './running-recordings.ts';
import { decideStartSlot } from './start-decision.ts';

/** A retried start whose key already started recording `replay` on the pod: nothing goes to the recorder. */
export interface ReplayedStart {
  replay: string;
  /** The recorder's answer to the first attempt, when kept. */
  answer?: string;
}

export interface SlotRequest {
  namespace: string;
  pod: string;
  startedBy: string;
  limits: Readonly<RecordingLimits>;
  /** The start's idempotency key (start-key.ts). */
  startKey?: string;
}

export interface StartSlots {
  /** Holds the start's slots (a Reservation to commit or release), or answers a retried start; throws the refusal. */
  take(request: SlotRequest): Reservation | Promise<Reservation | ReplayedStart>;
  /** The recording (or every recording of the pod) ended: its slots are free, whoever held them. */
  release(namespace: string, pod: string, recording?: string): Promise<void>;
}

interface Reserving {
  running: RunningRecordings;
  now: () => number;
  /** How long a reservation may wait for the recorder's answer before it stops counting. */
  reservationSeconds: number;
}

function reserve(deps: Reserving, request: SlotRequest): Reservation {
  return deps.running.reserve({
    namespace: request.namespace,
    pod: request.pod,
    deadline: deps.now() + deps.reservationSeconds * 1000,
    startedBy: request.startedBy,
    ...(request.startKey ? { startKey: request.startKey } : {}),
  });
}

/** One replica: the running recordings in this process's memory. */
export function memoryStartSlots(deps: Reserving): StartSlots {
  return {
    take(request) {
      const { namespace, limits } = request;
      const slot = decideStartSlot({
        namespace,
        limits,
        runningInNamespace: deps.running.countNamespace(namespace),
        runningInCluster: deps.running.countAll(),
      });
      if (!slot.allowed) throw slot.error;
      return reserve(deps, request);
    },
    release: () => Promise.resolve(),
  };
}

/** Several replicas: Leases every replica sees. */
export function leaseStartSlots(shared: SharedSlots, deps: Reserving): StartSlots {
  return {
    take: (request) => takeSharedSlots(deps, shared, request),
    release: (namespace, pod, recording) => shared.release(namespace, pod, recording),
  };
}

/** The refusal of a shared slot, in the words the server uses with one replica. */
function sharedRefusal(
  result: Exclude<TakeResult, { taken: true }>,
  start: SlotRequest,
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
  deps: Reserving,
  shared: SharedSlots,
  start: SlotRequest,
): Promise<Reservation | ReplayedStart> {
  const { limits } = start;
  let result: TakeResult;
  try {
    result = await shared.take({
      namespace: start.namespace,
      pod: start.pod,
      startedBy: start.startedBy,
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
  const local = reserve(deps, start);
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
