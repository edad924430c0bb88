// The modules of the single-writer work: who leads (the Lease), the start slots every replica sees,
// continuous profiling's windows, and the sinks' delivery loop. Their chores run only on the leader.
import { continuousModeOf } from '../continuous/continuous-mode.ts';
import { continuousRoutes } from '../continuous/continuous-listener-routes.ts';
import { continuousChores } from '../continuous/continuous-retention.ts';
import { leadershipOf, SLOT_COLLECTION_EVERY_MS, sharedSlotsOf } from '../leader/server-leadership.ts';
import { openSinks } from '../sinks/open-sinks.ts';
import { registerWatchMetrics } from '../regressions/watch-metrics.ts';
import { recordingLister, watchedRecordings } from '../regressions/watched-recordings.ts';
import { openSymbolFiles } from '../symbols/open-symbol-files.ts';
import { symbolRoutes } from '../symbols/symbol-routes.ts';
import type { Module } from './server-base.ts';
import { started } from './server-module.ts';

/** One replica always leads; several elect one through the Lease `coordination.leaderLease`. */
export const leaderModule: Module = {
  name: 'leader',
  needs: ['cluster'],
  start({ base, get }) {
    const leadership = leadershipOf(get('cluster'), base.config.coordination, base.candidate, base.log);
    // Released as the stop begins: another replica takes the chores over at its next round.
    return started(leadership, { release: () => leadership.stop() });
  },
};

/** Start slots as Leases with several replicas; none (each replica's memory) with one. */
export const slotsModule: Module = {
  name: 'slots',
  needs: ['cluster', 'catalog'],
  start({ base, get }) {
    const slots = sharedSlotsOf({
      cluster: get('cluster'),
      coordination: base.config.coordination,
      identity: base.candidate,
      log: base.log,
      catalog: get('catalog'),
    });
    if (!slots) return started(undefined);
    return started(slots, {
      chores: [
        { name: 'expired-slots', everyMs: SLOT_COLLECTION_EVERY_MS, run: () => slots.collectExpired() },
      ],
      stop: () => slots.stop(),
    });
  },
};

/** Continuous profiling (with agent mode): selections, the windows' store and its retention. */
export const continuousModule: Module = {
  name: 'continuous',
  needs: ['shared', 'agent'],
  async start({ base, get }) {
    const continuous = await continuousModeOf(base.config, base.metricsRegistry, get('shared')?.selections);
    if (!continuous) return started(undefined);
    return started(continuous, {
      chores: continuousChores(continuous, base.now),
      routes: continuousRoutes(continuous, get('agent'), base.now),
    });
  },
};

/**
 * Symbol files uploaded to namespaces, in the catalog's place: the users' routes, the recorders' reads
 * (a sidecar by its registration, an agent by its grant for the recording), retention (leader).
 */
export const symbolsModule: Module = {
  name: 'symbols',
  needs: ['recorders', 'agent'],
  async start({ base, get }) {
    const { files, chores } = await openSymbolFiles(base.config, base.now);
    const agent = get('agent');
    const routes = symbolRoutes({
      files,
      registry: get('recorders').sidecars,
      agentUploader: agent ? agent.uploaderOf : () => undefined,
      uploadTimeoutSeconds: base.config.uploadTimeoutSeconds,
    });
    return started(files, { routes, chores });
  },
};

/** The sinks' delivery loop, when sinks are configured; only the leader pushes. */
export const sinksModule: Module = {
  name: 'sinks',
  needs: ['catalog', 'leader', 'continuous', 'watchMetrics'],
  async start({ base, get }) {
    const { config } = base;
    const continuous = get('continuous');
    const watched = get('watchMetrics');
    const sinks = await openSinks({
      sinks: config.sinks,
      settings: config.sinkDelivery,
      dataDir: config.dataDir,
      catalog: get('catalog'),
      metricsRegistry: base.metricsRegistry,
      log: base.log,
      now: () => Date.now(),
      leadership: get('leader'),
      ...(watched ? { verdictOf: (id: string) => watched.verdictOf(id) } : {}),
      ...(continuous ? { continuous } : {}),
    });
    return started(undefined, { stop: () => sinks?.stop() });
  },
};

/**
 * In a cluster: the watching Recordings as the server reads them, for the rollout watch's metrics (read when
 * Prometheus scrapes) and the verdict labels of the sinks' pushes.
 */
export const watchMetricsModule: Module = {
  name: 'watchMetrics',
  needs: ['cluster'],
  start({ base, get }) {
    const cluster = get('cluster');
    if (!cluster) return started(undefined);
    const watched = watchedRecordings({
      listRecordings: recordingLister(cluster.request),
      now: () => Date.now(),
      log: base.log,
    });
    registerWatchMetrics(base.metricsRegistry, watched);
    return started(watched);
  },
};
