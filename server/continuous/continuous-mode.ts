// Continuous profiling's parts on the server over one set of dependencies: the selections, the windows'
// store and the metrics of stored and dropped windows. main.ts builds it with agent mode (agents collect
// the windows); its module (server/modules/) adds its routes to the two listeners.
import { Counter, type Registry } from 'prom-client';
import type { AgentSettings } from '../config/config-agent.ts';
import type { StorageConfig } from '../storage/storage-config.ts';
import type { ContinuousSettings } from './continuous-settings.ts';
import { createLeftOutReport, type LeftOutReport } from './left-out-report.ts';
import { createMemorySelections, type SelectionStore } from './selection-store.ts';
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
  dataDir: string;
  /** The windows' store when not files under dataDir (a bucket: continuousModeOf). */
  windows?: WindowStore;
  selections?: SelectionStore;
}

export function createContinuousMode(deps: ContinuousModeDeps): ContinuousMode {
  const registers = [deps.metricsRegistry];
  const watched = watchRemovals(deps.windows ?? filesystemWindows(deps.dataDir));
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

/**
 * Continuous profiling as the configuration asks: with agent mode only, its windows where the catalog's
 * artifacts are (the bucket's modules, the AWS SDK, load only when `storage.s3` is set).
 */
export async function continuousModeOf(
  config: { agent?: AgentSettings; storage: StorageConfig; dataDir: string },
  metricsRegistry: Registry,
  /** N replicas: the selections in shared Leases (continuous/shared-selections.ts). */
  selections?: SelectionStore,
): Promise<ContinuousMode | undefined> {
  if (!config.agent) return undefined;
  const { s3 } = config.storage;
  let windows: WindowStore | undefined;
  if (s3 !== undefined) {
    const [{ createS3Client }, { s3Windows }] = await Promise.all([
      import('../storage/s3-client.ts'),
      import('./s3-window-store.ts'),
    ]);
    windows = s3Windows(createS3Client(s3), s3);
  }
  return createContinuousMode({
    settings: config.agent.continuous,
    metricsRegistry,
    dataDir: config.dataDir,
    ...(selections ? { selections } : {}),
    ...(windows ? { windows } : {}),
  });
}
