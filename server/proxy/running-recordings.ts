// Recordings started through this server that have not finished yet, for the per-namespace and
// per-cluster concurrency limits. A start holds a reservation from the moment it is admitted until the
// sidecar answers: committed with the recording id, or released when the start failed. Reservations count
// like running recordings, so parallel starts cannot all see the same free room. An entry ends when the
// sidecar uploads a finished state, when its pod goes away, or at a deadline well past its duration (a
// sidecar may die mid-recording); a reservation nobody settles ends at its own deadline.

export interface RunningRecording {
  namespace: string;
  pod: string;
  id: string;
  deadline: number;
  /** The user name of whoever started it. */
  startedBy?: string;
  /** The user name of whoever stopped it early, through this server. */
  stoppedBy?: string;
  /** The start's idempotency key, hashed with the user (start-key.ts). */
  startKey?: string;
  /** The recorder's answer to the start (JSON), what a retry with the same key is answered. */
  answer?: string;
}

export interface Slot {
  namespace: string;
  pod: string;
  /** When an unsettled reservation stops counting (ms since the epoch). */
  deadline: number;
  /** The user name of whoever asked for the start. */
  startedBy?: string;
  startKey?: string;
}

export interface Reservation {
  /**
   * The start succeeded: the slot becomes the running recording `id`, counted until `deadline`. With shared
   * slots, resolves once the commit is written (never rejects): the start is answered after it.
   */
  commit(id: string, deadline: number, answer?: string): void | Promise<void>;
  /** The start failed: the slot is free again. Does nothing once committed or released. */
  release(): void;
}

export interface RunningRecordings {
  /** Takes a slot now; count and reserve in one synchronous step (see start-admission.ts). */
  reserve(slot: Slot): Reservation;
  finish(id: string): RunningRecording | undefined;
  /** Who started recording `id` on that pod (ids are the sidecar's, so the pod must match too). */
  starterOf(id: string, namespace: string, pod: string): string | undefined;
  /** Notes who asked recording `id` on that pod to stop (a stop of an unknown id is not kept). */
  noteStop(id: string, namespace: string, pod: string, user: string): void;
  /** Who stopped recording `id` on that pod through this server, if anyone did. */
  stopperOf(id: string, namespace: string, pod: string): string | undefined;
  finishPod(namespace: string, pod: string): void;
  /** Running recordings and pending reservations in the namespace. */
  countNamespace(namespace: string): number;
  countAll(): number;
  /** Ids of running recordings (reservations have none yet). */
  ids(): string[];
  /** The running recording of that pod that a start with this key started, if any. */
  startedWith(namespace: string, pod: string, startKey: string): StartedWith | undefined;
}

/** The recording a start with an idempotency key started, and the recorder's answer to it if kept. */
export interface StartedWith {
  recording: string;
  answer?: string;
}

/** Running recording `id` if it is that pod's (ids are the sidecar's, so the pod must match too). */
function onPod(
  byId: Map<string, RunningRecording>,
  id: string,
  namespace: string,
  pod: string,
): RunningRecording | undefined {
  const recording = byId.get(id);
  return recording?.namespace === namespace && recording.pod === pod ? recording : undefined;
}

/** A pending slot until settled: committed, it becomes the running recording of its id. */
function reserveSlot(pending: Set<Slot>, byId: Map<string, RunningRecording>, slot: Slot): Reservation {
  const held = { ...slot };
  pending.add(held);
  let settled = false;
  return {
    commit(id, deadline, answer) {
      if (settled) return;
      settled = true;
      pending.delete(held);
      const { namespace, pod, startedBy, startKey } = held;
      byId.set(id, {
        namespace,
        pod,
        id,
        deadline,
        ...(startedBy === undefined ? {} : { startedBy }),
        ...(startKey === undefined ? {} : { startKey }),
        ...(startKey === undefined || answer === undefined ? {} : { answer }),
      });
    },
    release() {
      settled = true;
      pending.delete(held);
    },
  };
}

export function createRunningRecordings(now: () => number): RunningRecordings {
  const byId = new Map<string, RunningRecording>();
  const pending = new Set<Slot>();
  function prune(): void {
    const time = now();
    for (const [id, recording] of byId) if (recording.deadline <= time) byId.delete(id);
    for (const slot of pending) if (slot.deadline <= time) pending.delete(slot);
  }
  function all(): { namespace: string }[] {
    prune();
    return [...byId.values(), ...pending];
  }
  return {
    reserve: (slot) => reserveSlot(pending, byId, slot),
    finish(id) {
      const recording = byId.get(id);
      byId.delete(id);
      return recording;
    },
    starterOf: (id, namespace, pod) => onPod(byId, id, namespace, pod)?.startedBy,
    noteStop(id, namespace, pod, user) {
      const recording = onPod(byId, id, namespace, pod);
      if (recording !== undefined) recording.stoppedBy ??= user;
    },
    stopperOf: (id, namespace, pod) => onPod(byId, id, namespace, pod)?.stoppedBy,
    finishPod(namespace, pod) {
      for (const [id, recording] of byId) {
        if (recording.namespace === namespace && recording.pod === pod) byId.delete(id);
      }
    },
    countNamespace(namespace) {
      return all().filter((recording) => recording.namespace === namespace).length;
    },
    countAll() {
      return all().length;
    },
    ids() {
      prune();
      return [...byId.keys()];
    },
    startedWith(namespace, pod, startKey) {
      prune();
      for (const recording of byId.values())
        if (recording.namespace === namespace && recording.pod === pod && recording.startKey === startKey)
          return { recording: recording.id, ...(recording.answer ? { answer: recording.answer } : {}) };
      return undefined;
    },
  };
}
