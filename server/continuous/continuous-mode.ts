// Continuous profiling's parts on the server over one set of dependencies: the selections, the windows'
// store and the metrics of stored and dropped windows. main.ts builds it with agent mode (agents collect
// the windows); its module (server/modules/) adds its routes to the two listeners.
import { Counter, type Registry } from 'prom-client';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AgentSettings } from '../config/config-agent.ts';
import { createS3Client } from '../storage/s3-client.ts';
import type { StorageConfig } from '../storage/storage-config.ts';
import type { ContinuousSettings } from './continuous-settings.ts';
import { createLeftOutReport, type LeftOutReport } from './left-out-report.ts';
import { createMemorySelections, type SelectionStore } from './selection-store.ts';
import { s3Windows } from './s3-window-store.ts';
import { watchRemovals, type RemovalListener } from './removal-watch.ts';
import { filesystemWindows, type WindowStore } from './window-store.ts';

export interface ContinuousMode {
  selections: SelectionStore;
  windows: WindowStore;
  /** Told the keys of every removal of windows before it happens (continuous sinks count their drops). */
  onWindowsRemoved(listener: RemovalListener): () => void;
  settings: ContinuousSettings;
  metrics: { stored: Counter<'node'>; dropped: Counter<'node'>; removedBySize: Counter<'namespace'> };
  /** What the node plans left out: a gauge, Events and the selections' status (left-out-report.ts). */
  leftOut: LeftOutReport;
}

export interface ContinuousModeDeps {
  settings: ContinuousSettings;
  metricsRegistry: Registry;
  /** The catalog's place: a bucket when configured, else files under dataDir. */
  dataDir: string;
  s3?: { client: S3Client; bucket: string; prefix: string };
  selections?: SelectionStore;
}

export function createContinuousMode(deps: ContinuousModeDeps): ContinuousMode {
  const registers = [deps.metricsRegistry];
  const watched = watchRemovals(
    deps.s3 ? s3Windows(deps.s3.client, deps.s3) : filesystemWindows(deps.dataDir),
  );
  return {
    selections: deps.selections ?? createMemorySelections(),
    windows: watched.store,
    onWindowsRemoved: (listener) => watched.onRemoved(listener),
    settings: deps.settings,
    leftOut: createLeftOutReport(deps.metricsRegistry),
    metrics: {
      stored: new Counter({
        name: 'furnace_continuous_windows_stored_total',
        help: 'Continuous profiling windows stored (one per pod and container), by node',
        labelNames: ['node'],
        registers,
      }),
      dropped: new Counter({
        name: 'furnace_continuous_windows_dropped_total',
        help: 'Continuous profiling windows a node agent dropped (over its disk budget, or failed to send)',
        labelNames: ['node'],
        registers,
      }),
      removedBySize: new Counter({
        name: 'furnace_continuous_windows_removed_by_size_total',
        help: 'Continuous profiling windows removed, oldest first, because their namespace held more than agent.continuous.maxBytesPerNamespace',
        labelNames: ['namespace'],
        registers,
      }),
    },
  };
}

/** Continuous profiling as the configuration asks: with agent mode only, its windows where the catalog's artifacts are. */
export function continuousModeOf(
  config: { agent?: AgentSettings; storage: StorageConfig; dataDir: string },
  metricsRegistry: Registry,
  /** N replicas: the selections in shared Leases (continuous/shared-selections.ts). */
  selections?: SelectionStore,
): ContinuousMode | undefined {
  if (!config.agent) return undefined;
  const { s3 } = config.storage;
  return createContinuousMode({
    settings: config.agent.continuous,
    metricsRegistry,
    dataDir: config.dataDir,
    ...(selections ? { selections } : {}),
    ...(s3 ? { s3: { client: createS3Client(s3), bucket: s3.bucket, prefix: s3.prefix } } : {}),
  });
}
