// What the proxy, the catalog's routes and the registry's expiry share on one replica: the recordings
// started through this server and not yet ended, the start slots (this replica's memory, or Leases with
// several replicas), the server's metrics and the Events on pods. Built once per process, before the
// listeners; both listeners' routes read it.
import type { FastifyBaseLogger } from 'fastify';
import type { Registry as MetricsRegistry } from 'prom-client';
import { isFinished, type CatalogEntry, type RecordingStatus } from '../../core/contract/recording.ts';
import type { Identity } from '../auth/identity.ts';
import type { Catalog } from '../catalog/catalog-store.ts';
import type { PodEvent } from '../kube/kube-gateway.ts';
import { createServerMetrics, type ServerMetrics } from '../operations/metrics.ts';
import type { Registration, Registry } from '../registry/lease-registry.ts';
import type { SharedSlots } from '../slots/shared-slots.ts';
import { createRunningRecordings, type RunningRecordings } from './running-recordings.ts';
import { leaseStartSlots, memoryStartSlots, type StartSlots } from './start-slots.ts';

export interface RecordingsStateParts {
  catalog: Catalog;
  registry: Registry;
  metricsRegistry: MetricsRegistry;
  now: () => number;
  /** Upstream timeout of the proxy: a start's slot stops counting after twice this (plus a minute). */
  proxyTimeoutSeconds: number;
  /** Several replicas: start slots as Leases every replica sees; this replica's memory when undefined. */
  sharedSlots: SharedSlots | undefined;
  /** Where Events on pods go: the Kubernetes API in a cluster, nowhere in local mode. */
  recordEvent: (event: PodEvent) => Promise<void>;
  log: FastifyBaseLogger;
}

export interface RecordingsState {
  running: RunningRecordings;
  metrics: ServerMetrics;
  /** Where starts hold their slots (start-slots.ts). */
  slots: StartSlots;
  /** The recording (or every recording of the pod) ended: its slots are free, whoever held them. */
  freeSlots(namespace: string, pod: string, recording?: string): void;
  /** Events on the pod: a start through the user listener. */
  started(registration: Registration, status: RecordingStatus, identity: Identity): void;
  /** A catalog entry changed (an upload): a finished recording frees its slots and gets its Event. */
  updated(entry: CatalogEntry, previous: CatalogEntry | undefined): void;
  /** Expired registrations go; their pods' recordings end here and free their slots. */
  sweep(): void;
}

/** Catalogued recordings by state, plus those started through this server and not yet catalogued. */
function recordingsByState(catalog: Catalog, running: RunningRecordings): Record<string, number> {
  const counts: Record<string, number> = {};
  const catalogued = new Set<string>();
  for (const entry of catalog.list({})) {
    counts[entry.state] = (counts[entry.state] ?? 0) + 1;
    catalogued.add(entry.id);
  }
  const uncatalogued = running.ids().filter((id) => !catalogued.has(id)).length;
  counts.recording = (counts.recording ?? 0) + uncatalogued;
  return counts;
}

function finishedEvent(entry: CatalogEntry, podUid: string | undefined): PodEvent {
  const done = entry.state === 'done';
  return {
    namespace: entry.namespace,
    pod: entry.pod,
    ...(podUid ? { podUid } : {}),
    reason: done ? 'FurnaceRecordingFinished' : 'FurnaceRecordingFailed',
    message: `Furnace recording ${entry.id} ${done ? 'finished' : `failed: ${entry.error ?? 'unknown error'}`}`,
    type: done ? 'Normal' : 'Warning',
  };
}

export function createRecordingsState(parts: RecordingsStateParts): RecordingsState {
  const { catalog, registry, now, log } = parts;
  const running = createRunningRecordings(now);
  const metrics = createServerMetrics(parts.metricsRegistry, {
    registeredSidecars: () => registry.size(),
    recordingsByState: () => recordingsByState(catalog, running),
  });
  // A start waits for its recorder's answer at most twice the proxy's timeout: then its slot stops counting.
  const reserving = { running, now, reservationSeconds: 2 * parts.proxyTimeoutSeconds + 60 };
  const slots = parts.sharedSlots
    ? leaseStartSlots(parts.sharedSlots, reserving)
    : memoryStartSlots(reserving);
  const send = (event: PodEvent): void => {
    parts
      .recordEvent(event)
      .catch((error: unknown) => log.warn({ err: error }, 'could not record a pod event'));
  };
  const freeSlots = (namespace: string, pod: string, recording?: string): void => {
    slots
      .release(namespace, pod, recording)
      .catch((error: unknown) => log.warn({ err: error, namespace, pod }, 'could not free the start slots'));
  };
  return {
    ...{ running, metrics, slots, freeSlots },
    started(registration, status, identity) {
      send({
        namespace: registration.namespace,
        pod: registration.pod,
        ...(registration.podUid ? { podUid: registration.podUid } : {}),
        reason: 'FurnaceRecordingStarted',
        message: `Furnace recording ${status.id} started by ${identity.user}`,
        type: 'Normal',
      });
    },
    updated(entry, previous) {
      if (!isFinished(entry)) return;
      running.finish(entry.id);
      if (isFinished(previous)) return;
      freeSlots(entry.namespace, entry.pod, entry.id);
      const { id, namespace, pod, state, samples, error } = entry;
      log.info({ id, namespace, pod, state, samples, error }, 'recording finished');
      send(finishedEvent(entry, registry.get(entry.namespace, entry.pod)?.podUid));
    },
    sweep() {
      for (const registration of registry.sweep()) {
        running.finishPod(registration.namespace, registration.pod);
        freeSlots(registration.namespace, registration.pod);
      }
    },
  };
}
