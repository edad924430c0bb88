// A finished pod result's pushes to sinks, copied from its catalog entry into the Recording's status and
// followed until each one settled (delivered or failed). The server's leader pushes (server/sinks/); the
// operator only reads the entry. A result is followed while a push is pending, while a sink the spec
// names has no settled push, and for a short while after the recording ended when the entry lists no
// push yet (the leader queues them a moment after the upload). A named sink that the server never
// queued is reported as failed, in words, once the recording ended long enough ago.
import type { CatalogEntry } from '../../core/contract/recording.ts';
import type { SinkDeliveryView } from '../../core/crd/resources.ts';
import type { Delivered } from './outcomes.ts';
import type { PodResult, RecordingSpec, RecordingStatus } from './recording-types.ts';

/** How long after a recording's end an entry with no push is taken to mean that no sink takes it. */
export const QUEUE_GRACE_MS = 30_000;
/** How long after a recording's end a sink the spec names may stay without a push before it is reported failed. */
export const NAMED_SINK_WAIT_MS = 10 * 60_000;
/** How often pending pushes are looked at again (they retry with backoff, for up to hours). */
export const DELIVERY_POLL_MS = 10_000;

function view(entry: CatalogEntry): SinkDeliveryView[] {
  return (entry.deliveries ?? []).map(({ sink, state, attempts, lastError }) => ({
    sink,
    state,
    attempts,
    ...(lastError !== undefined ? { lastError } : {}),
  }));
}

const settledFor = (result: PodResult, sink: string): boolean =>
  (result.deliveries ?? []).some((d) => d.sink === sink && d.state !== 'pending');

/** The done results whose pushes are still to learn. */
export function resultsToFollow(spec: RecordingSpec, status: RecordingStatus | undefined): PodResult[] {
  const named = spec.sinks ?? [];
  return (status?.results ?? []).filter(
    (result) =>
      result.state === 'done' &&
      result.recordingId !== undefined &&
      (result.deliveries === undefined ||
        result.deliveries.some((d) => d.state === 'pending') ||
        named.some((sink) => !settledFor(result, sink))),
  );
}

/**
 * What the entry says of a result's pushes; undefined while it is too early to say there are none. A sink
 * the spec names and the entry lacks long after the end is added as failed.
 */
export function deliveriesOf(
  spec: RecordingSpec,
  result: PodResult & { recordingId: string },
  entry: CatalogEntry | undefined,
  now: number,
): Delivered | undefined {
  if (!entry) return undefined;
  const endedAt = Date.parse(entry.endedAt ?? '');
  const since = Number.isNaN(endedAt) ? 0 : now - endedAt;
  const deliveries = view(entry);
  for (const sink of spec.sinks ?? [])
    if (!deliveries.some((d) => d.sink === sink) && since >= NAMED_SINK_WAIT_MS)
      deliveries.push({
        sink,
        state: 'failed',
        attempts: 0,
        lastError: `the server queued no push to sink ${sink} within ${NAMED_SINK_WAIT_MS / 60_000} minutes of the recording's end (is the sink configured on the server, and does the recording have the artifact the sink is sent?)`,
      });
  if (deliveries.length === 0 && since < QUEUE_GRACE_MS) return undefined;
  return { kind: 'deliveries', pod: result.pod, recordingId: result.recordingId, deliveries };
}
