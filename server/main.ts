// The server process: loads and validates the whole configuration from the environment before anything
// listens, then listens and handles signals. Two API listeners (server/build-server-app.ts): the user
// one (`host`, `port`) and the recorder one (`recorder.host`, `recorder.port`), plus the webhook in a
// cluster. `--local` runs local mode (both on loopback, auth `none`, plus one local sidecar process that
// registers with the recorder listener). The only reader of process.env in the server.
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { createAccess } from './auth/access.ts';
import { buildServerApps, type ServerAppDeps, type ServerApps } from './build-server-app.ts';
import { openCatalog, type Catalog } from './catalog/catalog-store.ts';
import { openArtifactStore } from './storage/open-artifact-store.ts';
import { ConfigError } from '../core/config/config-error.ts';
import { DEFAULT_INJECTION_CONFIG } from '../core/injection/injection-config.ts';
import { limitsFor, SERVER_ENV, type ServerConfig } from './config/config.ts';
import { listenOn, readProxyTrust, reloadListenerTls, type ProxyTrust } from './listen.ts';
import { loadServerConfig } from './config/load-config.ts';
import type { KubeGateway } from './kube/kube-gateway.ts';
import type { PodWatch } from './kube/pod-watch.ts';
import { createTokenCache, type TokenCache } from './kube/token-cache.ts';
import type { ClusterConnection } from './cluster-mode.ts';
import {
  announceLocal,
  newRegistrationSecret,
  readLocalKey,
  spawnLocalSidecar,
  type LocalKey,
  type LocalSidecar,
} from './local-mode.ts';
import { loggerOptions } from './operations/logging.ts';
import { createMetricsRegistry } from './operations/metrics.ts';
import type { RegistrationMode } from './registry/sidecar-registration.ts';
import { createAgentMode, type AgentMode } from './agent/agent-mode.ts';
import { continuousModeOf, type ContinuousMode } from './continuous/continuous-mode.ts';
import { continuousChores } from './continuous/continuous-retention.ts';
import { createRegistry, type Registry } from './registry/lease-registry.ts';
import { loadSharedKeys } from './replicas/key-file.ts';
import type { SharedKeys } from '../core/shared-key.ts';
import type { SharedMode } from './shared-mode.ts';
import { openSinks } from './sinks/open-sinks.ts';
import type { Registry as MetricsRegistry } from 'prom-client';
import { watchTlsFiles, type TlsMaterial, type TlsSource } from './webhook/tls.ts';
import { alwaysLeader, type Leadership } from '../kube/leases/leader-election.ts';
import { startChores } from './leader/chores.ts';
import { candidateIdentity, leadershipOf, serverChores, sharedSlotsOf } from './leader/server-leadership.ts';
import type { FastifyBaseLogger } from 'fastify';
import { closeConnectionsWhileDraining, stopServer, type Draining, type RunningServer } from './shutdown.ts';

/** Readiness: off from the first signal on (server/shutdown.ts). */
const draining: Draining = { on: false };

function fail(message: string): never {
  process.stderr.write(`furnace: ${message}\n`);
  process.exit(1);
}

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

async function startClusterParts(
  cluster: ClusterConnection,
  config: ServerConfig,
  running: RunningServer,
  registry: Registry,
  tokens: TokenCache,
  metricsRegistry: MetricsRegistry,
  agentMode: AgentMode | undefined,
): Promise<void> {
  const agents =
    agentMode && config.agent ? { registry: agentMode.agents, namespace: config.agent.namespace } : undefined;
  const { shared } = running;
  const onDeleted = shared ? shared.podDeleted.bind(shared) : undefined;
  running.podWatch = cluster.watchPods(registry, tokens, running.apps.user.log, agents, onDeleted);
  if (!config.webhook || !running.tls) return;
  const { buildWebhook } = await import('./cluster-mode.ts');
  const webhook = buildWebhook({
    injection: config.webhook.injection,
    tls: running.tls,
    log: running.apps.user.log,
    metricsRegistry,
  });
  closeConnectionsWhileDraining(webhook, draining);
  await webhook.listen({ host: config.webhook.host, port: config.webhook.port });
  running.webhook = webhook;
}

type Started = RunningServer & { drainMs: number };

/** What start-up reads and opens before any part is built. */
interface Prepared {
  config: ServerConfig;
  tlsSource: TlsSource | undefined;
  localKey: LocalKey | undefined;
  catalog: Catalog;
  registry: Registry;
  cluster: ClusterConnection | undefined;
  trust: ProxyTrust;
  wiring: Wiring;
  agentMode: AgentMode | undefined;
  local: { secret: string; hostname: string };
}

async function prepare(local: boolean): Promise<Prepared> {
  const config = await loadServerConfig({ env: process.env, local });
  const tlsSource = await watchTls(config.tls);
  const localKey = await prepareDataDir(config.dataDir, local);
  const now = (): number => Date.now();
  const cluster: ClusterConnection | undefined = local
    ? undefined
    : (await import('./cluster-mode.ts')).connectCluster();
  const keys = await loadSharedKeys(config.replicas.sharedKeyFile);
  const { catalog, registry } = await openStores(config, now, cluster, keys);
  const wiring: Wiring = {
    config,
    now,
    kube: cluster?.kube,
    // One TokenReview cache for users and sidecars, so the pod watch can drop a deleted pod's reviews.
    tokens: createTokenCache({ now, ...config.tokenReview }),
    keys,
    // The pod watch starts once the listeners do (startClusterParts); until then there is none.
    watch: {},
    leader: {},
    draining,
  };
  const agentMode = agentModeOf(wiring);
  if (cluster && config.replicas.shared)
    wiring.shared = await sharedModeOf(cluster, wiring, registry, agentMode);
  const secret = config.registrationSecret ?? newRegistrationSecret();
  const trust = await readProxyTrust(config);
  return {
    agentMode,
    config,
    tlsSource,
    localKey,
    catalog,
    registry,
    cluster,
    trust,
    wiring,
    local: { secret, hostname: hostname() },
  };
}

/** The apps, the leader election and the shared slots (several replicas), nothing listening yet. */
function assemble(p: Prepared): {
  running: Started;
  agentMode: AgentMode | undefined;
  metricsRegistry: MetricsRegistry;
  continuous: ContinuousMode | undefined;
} {
  const { config, cluster, wiring, agentMode } = p;
  const metricsRegistry = createMetricsRegistry();
  const continuous = continuousModeOf(config, metricsRegistry, wiring.shared?.selections);
  const identity = candidateIdentity();
  // Warnings of the slots go to the server's log, which exists once the apps do.
  const logs: { current?: FastifyBaseLogger } = {};
  const warn = { warn: (obj: object, msg: string) => logs.current?.warn(obj, msg) };
  const slots = sharedSlotsOf(cluster, config.coordination, identity, warn, p.catalog);
  const apps = buildApps(wiring, {
    ...(slots ? { sharedSlots: slots } : {}),
    catalog: p.catalog,
    registry: p.registry,
    registration: registrationMode(wiring, p.local),
    agentMode,
    continuous,
    metricsRegistry,
    trust: p.trust,
    tls: p.tlsSource?.current(),
    ...(p.localKey ? { localKey: p.localKey } : {}),
  });
  logs.current = apps.user.log;
  for (const app of [apps.user, apps.recorder]) closeConnectionsWhileDraining(app, draining);
  const leadership = leadershipOf(cluster, config.coordination, identity, apps.user.log);
  wiring.leader.current = leadership;
  const running: Started = {
    apps,
    catalog: p.catalog,
    leadership,
    drainMs: config.drainSeconds * 1000,
    ...(slots ? { slots } : {}),
    ...(p.tlsSource ? { tls: p.tlsSource } : {}),
    ...(wiring.shared ? { shared: wiring.shared } : {}),
  };
  // The shared records are watched before the listeners listen; readiness waits for their first list.
  wiring.shared?.start(apps.user.log);
  return { running, agentMode, metricsRegistry, continuous };
}

async function start(isLocal: boolean): Promise<Started> {
  const p = await prepare(isLocal);
  const { config, cluster, catalog, localKey, wiring } = p;
  const { running, agentMode, metricsRegistry, continuous } = assemble(p);
  const { apps } = running;
  const secure = p.tlsSource !== undefined;
  await startSinks(running, config, catalog, metricsRegistry, continuous);
  running.tls?.subscribe((material) => reloadListenerTls(apps, material, p.trust));
  // The user port first: it is the one people pick, and a clash there stops start-up with one line.
  const url = await listenOn(apps.user, config, SERVER_ENV.port, secure);
  const recorderUrl = await listenOn(apps.recorder, config.recorder, SERVER_ENV.recorderPort, secure);
  if (cluster) {
    await startClusterParts(cluster, config, running, p.registry, wiring.tokens, metricsRegistry, agentMode);
    if (running.podWatch) wiring.watch.current = running.podWatch;
  }
  const leadership = running.leadership ?? alwaysLeader();
  const chores = [...serverChores(catalog, running.slots), ...continuousChores(continuous, wiring.now)];
  running.chores = startChores({ leadership, chores, log: apps.user.log });
  if (isLocal && config.localSidecar) running.sidecar = startLocalSidecar(config, recorderUrl, p.local);
  process.stdout.write(`Furnace ${isLocal ? 'local mode ' : ''}listening on ${url}\n`);
  process.stdout.write(`Sidecars register at ${recorderUrl}\n`);
  if (localKey) announceLocal(url, localKey, config.dataDir, p.local.hostname);
  return running;
}

/** The sinks' delivery loop, when sinks are configured; only the leader pushes. */
async function startSinks(
  running: Started,
  config: ServerConfig,
  catalog: Catalog,
  metricsRegistry: MetricsRegistry,
  continuous: ContinuousMode | undefined,
): Promise<void> {
  const sinks = await openSinks({
    sinks: config.sinks,
    settings: config.sinkDelivery,
    dataDir: config.dataDir,
    catalog,
    metricsRegistry,
    log: running.apps.user.log,
    now: () => Date.now(),
    ...(running.leadership ? { leadership: running.leadership } : {}),
    ...(continuous ? { continuous } : {}),
  });
  if (sinks) running.sinks = sinks;
}

/** Makes the data directory; in local mode only this user may read it (recordings of their processes), and it keeps the key. */
async function prepareDataDir(dataDir: string, local: boolean): Promise<LocalKey | undefined> {
  await mkdir(dataDir, { recursive: true, ...(local ? { mode: 0o700 } : {}) });
  return local ? readLocalKey(dataDir) : undefined;
}

/** What the parts of the server are made from, once the configuration is read. */
interface Wiring {
  config: ServerConfig;
  now: () => number;
  /** Absent in local mode. */
  kube: KubeGateway | undefined;
  tokens: TokenCache;
  /** The key the replicas share: registrations' tokens and agents' upload grants are derived with it. */
  keys: SharedKeys;
  /** The pod watch, once startClusterParts has started it. */
  watch: { current?: PodWatch };
  /** Several replicas: registrations and sessions in the Kubernetes API. */
  shared?: SharedMode;
  /** Who leads the single-writer chores, once elected (or always, with one replica). */
  leader: { current?: Leadership };
  draining: Draining;
}

/** What N replicas share (shared-mode.ts): Leases in the server's namespace, through the cluster's client. */
async function sharedModeOf(
  cluster: ClusterConnection,
  wiring: Wiring,
  registry: Registry,
  agentMode: AgentMode | undefined,
): Promise<SharedMode> {
  const { createSharedMode } = await import('./shared-mode.ts');
  const { config, keys, now } = wiring;
  return createSharedMode({
    ...{ kc: cluster.kubeConfig, request: cluster.request, settings: config.replicas, registry, keys, now },
    leaseSeconds: config.leaseSeconds,
    ...(config.authMode === 'kubernetes' ? { sessionSeconds: config.sessionSeconds } : {}),
    ...(agentMode ? { agents: agentMode.agents } : {}),
  });
}

/**
 * The catalog, reloaded from the data directory (or, with a bucket in a cluster, from the RecordingEntry
 * objects every replica shares), and an empty registry.
 */
async function openStores(
  config: ServerConfig,
  now: () => number,
  cluster: ClusterConnection | undefined,
  keys: SharedKeys,
): Promise<{ catalog: Catalog; registry: Registry }> {
  const log = { warn: (fields: object, message: string) => warnLine(message, fields) };
  const entries = config.storage.s3 && cluster ? cluster.catalogEntries(log) : undefined;
  const catalog = await openCatalog({
    dataDir: config.dataDir,
    now,
    retention: config.retention,
    artifacts: await openArtifactStore(config.storage, config.dataDir),
    ...(entries ? { entries } : {}),
    onLoad: (report) =>
      process.stderr.write(
        `furnace: catalog reload removed what it could not read: ${JSON.stringify(report)}\n`,
      ),
  });
  const registry = createRegistry({ now, leaseSeconds: config.leaseSeconds, keys });
  return { catalog, registry };
}

/** A warning before the logger exists (the catalog opens before the listeners). */
function warnLine(message: string, fields: object): void {
  const err = (fields as { err?: unknown }).err;
  const detail = err instanceof Error ? `: ${err.message}` : '';
  process.stderr.write(`furnace: ${message}${detail}\n`);
}

/** Sidecars prove who they are by TokenReview in a cluster, by the shared secret in local mode. */
function registrationMode(wiring: Wiring, local: { secret: string; hostname: string }): RegistrationMode {
  const { kube, config, tokens, watch } = wiring;
  if (!kube) return { kind: 'local', ...local };
  // N replicas: a review made by one travels to the others as a ticket the sidecar shows back.
  return {
    kind: 'kubernetes',
    kube,
    sidecarImages: config.sidecarImages,
    injection: config.webhook?.injection ?? DEFAULT_INJECTION_CONFIG,
    tokens,
    cachedPod: (namespace, name) => watch.current?.getPod(namespace, name),
    ...(wiring.shared ? { reviewTickets: wiring.keys } : {}),
  };
}

function agentModeOf(wiring: Wiring): AgentMode | undefined {
  const { kube, config, now, tokens, watch, keys } = wiring;
  if (!kube || !config.agent) return undefined;
  return createAgentMode({
    settings: config.agent,
    kube,
    now,
    keys,
    leaseSeconds: config.leaseSeconds,
    tokens,
    cachedPod: (namespace, name) => watch.current?.getPod(namespace, name),
    cachedPods: () => watch.current?.listPods() ?? [],
  });
}

function buildApps(
  wiring: Wiring,
  parts: Pick<
    ServerAppDeps,
    'catalog' | 'registry' | 'registration' | 'metricsRegistry' | 'localKey' | 'sharedSlots' | 'continuous'
  > & {
    agentMode: AgentMode | undefined;
    trust: ProxyTrust;
    tls: TlsMaterial | undefined;
  },
): ServerApps {
  const { config, now, kube, tokens, watch, leader } = wiring;
  const { agentMode, trust, tls, ...stores } = parts;
  return buildServerApps({
    ...stores,
    access: createAccess({
      mode: config.authMode,
      userHeader: config.userHeader,
      groupsHeader: config.groupsHeader,
      sessionSeconds: config.sessionSeconds,
      ...(wiring.shared?.sessions ? { sessions: wiring.shared.sessions } : {}),
      now,
      tokens,
      ...(kube ? { kube } : {}),
    }),
    limitsFor: (namespace) => limitsFor(config, namespace),
    now,
    proxyTimeoutSeconds: config.proxyTimeoutSeconds,
    uploadTimeoutSeconds: config.uploadTimeoutSeconds,
    merge: config.merge,
    allowSystemWide: config.allowSystemWide,
    sinks: config.sinks,
    ...(kube ? { kube } : {}),
    // In a cluster, not ready before the pod watch (and the webhook listener, started with it) exists.
    isReady: () =>
      !wiring.draining.on &&
      (watch.current ? watch.current.isSynced() : !kube) &&
      (wiring.shared?.isSynced() ?? true),
    ...(wiring.shared ? { sharedRegistrations: wiring.shared.registrations } : {}),
    isLeader: () => leader.current?.isLeader() ?? false,
    logger: loggerOptions(config.logLevel, config.logFormat),
    ...(tls ? { https: tls } : {}),
    ...trust,
    trustedProxies: config.trustedProxies,
    ...(agentMode ? { agentMode } : {}),
  });
}

function startLocalSidecar(
  config: ServerConfig,
  recorderUrl: string,
  local: { secret: string; hostname: string },
): LocalSidecar {
  const sidecar = spawnLocalSidecar({
    serverUrl: recorderUrl,
    ...local,
    dataDir: config.dataDir,
    baseEnv: process.env,
    logFormat: config.logFormat,
  });
  sidecar.process.once('exit', (code, signal) => {
    if (!stopping) fail(`the local sidecar exited unexpectedly (${signal ?? `code ${code}`})`);
  });
  return sidecar;
}

let stopping = false;

async function main(): Promise<void> {
  const local = process.argv.includes('--local');
  let running: Started;
  let drainMs = 0;
  try {
    running = await start(local);
    drainMs = running.drainMs;
  } catch (error) {
    fail((error as Error).message);
  }
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    stopServer(running, draining, { drainMs }).then(
      () => {
        process.stdout.write('Furnace stopped\n');
        process.exit(0);
      },
      (error: unknown) => fail(`shutdown failed: ${(error as Error).message}`),
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

await main();
