// The sinks' part of the server process: the queue under the data directory, the metrics, the loop, and
// the catalog telling the loop of every change; with continuous profiling on, the export of windows to
// the sinks that take them (window-export.ts). None of it when no sink is configured.
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Leadership } from '../../kube/leases/leader-election.ts';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { SinkConfig, SinkDeliverySettings } from '../../core/sinks/sink.ts';
import type { Catalog } from '../catalog/catalog-store.ts';
import { sendPush } from './push-http.ts';
import { startSinkDelivery, type SinkDeliveryLoop } from './sink-delivery.ts';
import type { WatchVerdict } from '../regressions/watch-verdicts.ts';
import { createSinkMetrics } from './sink-metrics.ts';
import { openDiskSinkQueue } from './sink-queue.ts';
import { startWindowExport, type WindowExport } from './window-export.ts';
import { createWindowSinkMetrics } from './window-metrics.ts';
import type { RemovalListener } from '../continuous/removal-watch.ts';
import type { WindowStore } from '../continuous/window-store.ts';

/** Where the queue lives under the data directory. */
export const SINK_QUEUE_DIR = 'sink-queue';

export interface OpenSinksOptions {
  sinks: readonly SinkConfig[];
  settings: SinkDeliverySettings;
  dataDir: string;
  catalog: Catalog;
  metricsRegistry: MetricsRegistry;
  log: FastifyBaseLogger;
  now: () => number;
  /** Several replicas: the leader alone pushes; one that starts leading takes up the pending pushes. */
  leadership?: Leadership;
  /** In a cluster: rollout watches' verdicts, a label of the pushes of the recordings they compared. */
  verdictOf?: (recordingId: string) => Promise<WatchVerdict>;
  /** Continuous profiling, when on: its windows go to the sinks with `continuous: true`. */
  continuous?: {
    windows: WindowStore;
    onWindowsRemoved(listener: RemovalListener): () => void;
    settings: { frequency: number };
  };
}

function startWindows(options: OpenSinksOptions): WindowExport | undefined {
  const { sinks, log, continuous } = options;
  const chosen = sinks.filter((s) => s.continuous);
  if (chosen.length === 0) return undefined;
  if (!continuous) {
    log.warn(
      `sinks ${chosen.map((s) => s.name).join(', ')} take continuous windows, but continuous profiling is off (agent.enabled)`,
    );
    return undefined;
  }
  return startWindowExport({
    sinks,
    settings: options.settings,
    windows: continuous.windows,
    onWindowsRemoved: (listener) => continuous.onWindowsRemoved(listener),
    frequency: continuous.settings.frequency,
    send: sendPush,
    now: options.now,
    log: { info: (msg) => log.info(msg), warn: (msg) => log.warn(msg) },
    metrics: createWindowSinkMetrics(
      options.metricsRegistry,
      chosen.map((s) => s.name),
    ),
    ...(options.leadership ? { isLeader: () => options.leadership?.isLeader() ?? true } : {}),
  });
}

export async function openSinks(options: OpenSinksOptions): Promise<SinkDeliveryLoop | undefined> {
  const { sinks, catalog, log } = options;
  if (sinks.length === 0) return undefined;
  const queue = await openDiskSinkQueue({
    dir: join(options.dataDir, SINK_QUEUE_DIR),
    maxQueued: options.settings.maxQueued,
    onDropped: (count) => log.warn(`the sink queue dropped ${count} file(s) it could not read`),
  });
  const loop = startSinkDelivery({
    sinks,
    settings: options.settings,
    queue,
    catalog,
    send: sendPush,
    now: options.now,
    log,
    ...(options.verdictOf ? { verdictOf: options.verdictOf } : {}),
    ...(options.leadership ? { isLeader: () => options.leadership?.isLeader() ?? true } : {}),
    metrics: createSinkMetrics(
      options.metricsRegistry,
      sinks.map((s) => s.name),
    ),
  });
  // After a store, the entry lists the new artifact only once the store's own step is done.
  catalog.onChanged((id) => setImmediate(() => void loop.consider(id)));
  options.leadership?.onChange((leading) => {
    if (!leading) return;
    for (const entry of catalog.list({}))
      if (entry.deliveries?.some((d) => d.state === 'pending')) void loop.consider(entry.id);
    loop.kick();
  });
  log.info(`sinks: ${sinks.map((s) => `${s.name} (${s.type})`).join(', ')}; ${queue.size()} push(es) queued`);
  const windows = startWindows(options);
  if (!windows) return loop;
  return {
    ...loop,
    stop: async () => {
      await Promise.all([loop.stop(), windows.stop()]);
    },
  };
}
