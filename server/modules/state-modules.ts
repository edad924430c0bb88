// The modules that hold the server's state and its connections: the certificate, the cluster, the
// catalog, the recorders' registries, what replicas share, the pod watch and agent mode. Each provides
// `undefined` where its mode is off (local mode has no cluster), so a mode is chosen here, once.
import { mkdir } from 'node:fs/promises';
import { ConfigError } from '../../core/config/config-error.ts';
import { createAgentMode } from '../agent/agent-mode.ts';
import { agentRoutes } from '../agent/agent-routes.ts';
import { openCatalog } from '../catalog/catalog-store.ts';
import { rekeyLocalPins } from '../catalog/local-pin-keys.ts';
import type { ServerConfig } from '../config/config.ts';
import { createTokenCache } from '../kube/token-cache.ts';
import { serverChores } from '../leader/server-leadership.ts';
import { createAgentRegistry } from '../registry/agent-registry.ts';
import { createRegistry } from '../registry/lease-registry.ts';
import { loadSharedKeys } from '../replicas/key-file.ts';
import { openArtifactStore } from '../storage/open-artifact-store.ts';
import { watchTlsFiles, type TlsSource } from '../webhook/tls.ts';
import type { Module } from './server-base.ts';
import { started } from './server-module.ts';

/** The API's and the webhook's certificate, re-read when the files change. */
async function watchTls(tls: ServerConfig['tls']): Promise<TlsSource | undefined> {
  if (!tls) return undefined;
  try {
    return await watchTlsFiles({
      ...tls,
      onError: (error) => process.stderr.write(`furnace: TLS files not reloaded: ${error.message}\n`),
    });
  } catch (error) {
    throw new ConfigError(
      'tls.certFile, tls.keyFile',
      [tls.certFile, tls.keyFile],
      `a readable PEM certificate and its key (${(error as Error).message})`,
    );
  }
}

export const tlsModule: Module = {
  name: 'tls',
  needs: [],
  async start({ base }) {
    const tls = await watchTls(base.config.tls);
    return started(tls, { stop: () => tls?.close() });
  },
};

export const clusterModule: Module = {
  name: 'cluster',
  needs: [],
  async start({ base }) {
    return started(base.local ? undefined : (await import('../cluster-mode.ts')).connectCluster());
  },
};

/** A warning of the catalog's reload, as one line (the catalog opens before the listeners). */
function warnLine(message: string, fields: object): void {
  const err = (fields as { err?: unknown }).err;
  const detail = err instanceof Error ? `: ${err.message}` : '';
  process.stderr.write(`furnace: ${message}${detail}\n`);
}

/**
 * The catalog, reloaded from the data directory (or, with a bucket in a cluster, from the RecordingEntry
 * objects every replica shares). In local mode only this user may read the directory, and baseline pins
 * made under another key than the program recorded move to that key (catalog/local-pin-keys.ts).
 */
export const catalogModule: Module = {
  name: 'catalog',
  needs: ['cluster'],
  async start({ base, get }) {
    const { config } = base;
    await mkdir(config.dataDir, { recursive: true, ...(base.local ? { mode: 0o700 } : {}) });
    const cluster = get('cluster');
    const entries =
      config.storage.s3 && cluster
        ? cluster.catalogEntries({ warn: (f: object, m: string) => warnLine(m, f) })
        : undefined;
    const catalog = await openCatalog({
      dataDir: config.dataDir,
      now: base.now,
      retention: config.retention,
      artifacts: await openArtifactStore(config.storage, config.dataDir),
      ...(entries ? { entries } : {}),
      onLoad: (report) =>
        process.stderr.write(
          `furnace: catalog reload removed what it could not read: ${JSON.stringify(report)}\n`,
        ),
    });
    if (base.local) await rekeyLocalPins(catalog, base.log);
    return started(catalog, { chores: serverChores(catalog), stop: () => catalog.close() });
  },
};

export const recordersModule: Module = {
  name: 'recorders',
  needs: [],
  async start({ base }) {
    const { config, now } = base;
    const keys = await loadSharedKeys(config.replicas.sharedKeyFile);
    const { leaseSeconds } = config;
    return started({
      sidecars: createRegistry({ now, leaseSeconds, keys }),
      agents: config.agent && !base.local ? createAgentRegistry({ now, keys, leaseSeconds }) : undefined,
      tokens: createTokenCache({ now, ...config.tokenReview }),
      keys,
    });
  },
};

/** Several replicas: registrations, sessions and selections in Leases of the server's namespace. */
export const sharedModule: Module = {
  name: 'shared',
  needs: ['cluster', 'recorders'],
  async start({ base, get }) {
    const cluster = get('cluster');
    const { config, now, log } = base;
    if (!cluster || !config.replicas.shared) return started(undefined);
    const { sidecars, agents, keys } = get('recorders');
    const { createSharedMode } = await import('../shared-mode.ts');
    const shared = createSharedMode({
      ...{ kc: cluster.kubeConfig, request: cluster.request, settings: config.replicas, registry: sidecars },
      ...{ keys, now, leaseSeconds: config.leaseSeconds },
      ...(config.authMode === 'kubernetes' ? { sessionSeconds: config.sessionSeconds } : {}),
      ...(agents ? { agents } : {}),
    });
    // Watched before the listeners listen; readiness waits for the first list.
    shared.start(log);
    return started(shared, { isReady: () => shared.isSynced(), stop: () => shared.stop() });
  },
};

/** Deleted pods' registrations and token reviews go; renewals read pods from the watch. */
export const podWatchModule: Module = {
  name: 'podWatch',
  needs: ['cluster', 'recorders', 'shared'],
  start({ base, get }) {
    const cluster = get('cluster');
    if (!cluster) return started(undefined);
    const { sidecars, agents, tokens } = get('recorders');
    const shared = get('shared');
    const namespace = base.config.agent?.namespace;
    const watch = cluster.watchPods({
      ...{ registry: sidecars, tokens, log: base.log },
      agents: agents && namespace !== undefined ? { registry: agents, namespace } : undefined,
      onDeleted: shared ? shared.podDeleted.bind(shared) : undefined,
    });
    return started(watch, { isReady: () => watch.isSynced(), stop: () => watch.stop() });
  },
};

/** How often each replica drops the agents whose lease ran out. */
const AGENT_SWEEP_EVERY_MS = 5000;

export const agentModule: Module = {
  name: 'agent',
  needs: ['cluster', 'recorders', 'podWatch', 'shared'],
  start({ base, get }) {
    const cluster = get('cluster');
    const { agents, tokens, keys } = get('recorders');
    const watch = get('podWatch');
    const { config, now } = base;
    if (!cluster || !config.agent || !agents) return started(undefined);
    const agentMode = createAgentMode({
      ...{ settings: config.agent, kube: cluster.kube, now, keys, leaseSeconds: config.leaseSeconds, tokens },
      agents,
      ...(watch
        ? {
            cachedPod: (ns: string, name: string) => watch.getPod(ns, name),
            cachedPods: () => watch.listPods(),
          }
        : {}),
    });
    const registrations = get('shared')?.registrations;
    const routes = agentRoutes({
      agentMode,
      now,
      write: registrations ? (input) => registrations.writeAgent(input) : undefined,
    });
    const sweeps = setInterval(() => agents.sweep(), AGENT_SWEEP_EVERY_MS).unref();
    return started(agentMode, { routes, stop: () => clearInterval(sweeps) });
  },
};
