// Admits a start request on its way to the sidecar: its parameters (pure, start-decision.ts), the
// permissions beyond `create` that a whole-node recording (`create` on recordings/system-wide) or a
// bpftrace program (`create` on recordings/bpftrace, cluster-wide: it can read kernel memory) needs, as the
// proxy's route guard declares them (proxy-guard.ts), then a concurrency slot. Counting the running recordings and reserving the slot happen in one
// synchronous step, with no await between them, so parallel starts cannot all see the same free room.
// The proxy commits the reservation with the recording id the sidecar answers, or it is released.
import type { RecordingLimits } from '../../core/contract/limits.ts';
import type { RecordingParams } from '../../core/contract/recording-params.ts';
import type { SinkRule } from '../../core/sinks/sink-choice.ts';
import type { Reservation, RunningRecordings } from './running-recordings.ts';
import type { ReplayedStart, StartSlots } from './start-slots.ts';
import { decideStartParams } from './start-decision.ts';
import type { Identity } from '../auth/identity.ts';
import { BPFTRACE_SUBRESOURCE, SYSTEM_WIDE_SUBRESOURCE } from './proxy-guard.ts';

export interface StartAdmissionDeps {
  limitsFor: (namespace: string) => Readonly<RecordingLimits>;
  running: RunningRecordings;
  /** The server setting `recording.allowSystemWide`. */
  allowSystemWide: boolean;
  /** The server's sinks, which a start may name. */
  sinks?: readonly SinkRule[];
  /** Where the start's concurrency slots are held: this replica's memory, or Leases (start-slots.ts). */
  slots: StartSlots;
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

export type { ReplayedStart } from './start-slots.ts';

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
    sinks: deps.sinks,
    namespace,
  });
  if (!decided.allowed) throw decided.error;
  if (decided.params.systemWide) await start.demand(SYSTEM_WIDE_SUBRESOURCE);
  if (decided.params.profiler === 'bpftrace') await start.demand(BPFTRACE_SUBRESOURCE);
  // Checked after the parameters and permissions: a retry is admitted like the first attempt was.
  const replay = start.startKey && deps.running.startedWith(namespace, start.pod, start.startKey);
  if (replay) return { replay: replay.recording, ...(replay.answer ? { answer: replay.answer } : {}) };
  const request = { namespace, pod: start.pod, startedBy: start.identity.user, limits };
  const taken = deps.slots.take(start.startKey ? { ...request, startKey: start.startKey } : request);
  // The memory adapter counts and reserves in one synchronous step: no await between them.
  const reservation = taken instanceof Promise ? await taken : taken;
  return 'replay' in reservation ? reservation : { params: decided.params, reservation };
}
