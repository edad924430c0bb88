// The server's two API listeners as un-listened Fastify instances over one registry, catalog and set of
// running recordings. The recorder app is what sidecars reach: registration, artifact uploads, health.
// The user app is what browsers, the CLI and the operator reach: the UI, the sidecar list, the proxy,
// the catalog, health and metrics. A pod can reach the recorder listener, never the user one, so
// nothing a pod sends can pass for a user. main.ts listens; tests call inject().
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { RecordingLimits } from '../core/contract/limits.ts';
import { isFinished, type CatalogEntry, type RecordingStatus } from '../core/contract/recording.ts';
import type { AgentMode } from './agent/agent-mode.ts';
import { installRunKey } from './auth/run-key-hook.ts';
import type { LocalKey } from './local-mode.ts';
import { registerAgentRoutes } from './agent/agent-registration.ts';
import { registerAgentContinuousRoutes } from './continuous/agent-continuous-routes.ts';
import type { ContinuousMode } from './continuous/continuous-mode.ts';
import { registerContinuousUserRoutes } from './continuous/continuous-routes.ts';
import { registerTimelineRoutes } from './continuous/timeline-route.ts';
import type { Access } from './auth/access.ts';
import { installRouteGuards } from './auth/route-guard-hook.ts';
import { installFrontProxy, type FrontProxy } from './auth/front-proxy.ts';
import { installRequestGuard } from './auth/request-guard-hook.ts';
import { clientCertificateOptions, installTrustedProxy, type TrustedProxy } from './auth/trusted-proxy.ts';
import {
  registerCatalogUploadRoutes,
  registerCatalogUserRoutes,
  type CatalogRouteDeps,
} from './catalog/catalog-routes.ts';
import type { Catalog } from './catalog/catalog-store.ts';
import { registerMergedArtifactRoute } from './catalog/merged-artifacts.ts';
import { registerWorkloadRoutes } from './catalog/workload-routes.ts';
import type { MergeSettings } from './catalog/merge-slots.ts';
import { installErrorHandler } from '../core/contract/http-errors.ts';
import type { KubeGateway, PodEvent } from './kube/kube-gateway.ts';
import {
  checkAggregatedNamespace,
  registerAggregatedRoutes,
  rewriteAggregatedUrl,
} from './aggregated-api.ts';
import { lazyRequestLog } from './operations/lazy-request-log.ts';
import {
  installLoadShedding,
  pressureLimitsOfProcess,
  watchPressure,
  type Pressure,
  type PressureLimits,
} from './operations/load-shedding.ts';
import { createServerMetrics, type ServerMetrics } from './operations/metrics.ts';
import { registerHealthRoutes, registerMetricsRoute } from './operations/operational-routes.ts';
import { registerProxyRoutes } from './proxy/proxy-routes.ts';
import { registerSidecarRoutes, type RegistrationMode } from './registry/sidecar-registration.ts';
import type { Registration, Registry } from './registry/lease-registry.ts';
import type { SharedRegistrations } from './registry/shared-registrations.ts';
import { createRunningRecordings, type RunningRecordings } from './proxy/running-recordings.ts';
import { registerSidecarListRoute } from './proxy/sidecar-list.ts';
import { sidecarThenAgentUpstreams, sidecarUpstreams } from './proxy/upstreams.ts';
import { leaseStartSlots, memoryStartSlots, type StartSlots } from './proxy/start-slots.ts';
import { registerUi } from './ui/register-ui.ts';
import type { Identity } from './auth/identity.ts';
import type { SinkRule } from '../core/sinks/sink-choice.ts';
import type { SharedSlots } from './slots/lease-slots.ts';

export interface ServerAppDeps {
  registry: Registry;
  catalog: Catalog;
  access: Access;
  registration: RegistrationMode;
  /** N replicas (`coordination.mode: kubernetes`): registrations go through the shared Leases. */
  sharedRegistrations?: SharedRegistrations;
  metricsRegistry: MetricsRegistry;
  limitsFor: (namespace: string) => Readonly<RecordingLimits>;
  now: () => number;
  proxyTimeoutSeconds: number;
  /** `recorder.uploadTimeoutSeconds`: the longest an artifact upload's body may take. */
  uploadTimeoutSeconds: number;
  /** `merge.*` (defaults when unset): merged flame graphs at once, waiting, and cached. */
  merge?: MergeSettings;
  /** The setting `recording.allowSystemWide`: whole-node recordings (still need their own permission). */
  allowSystemWide?: boolean;
  /** The configured sinks: a start may name those that take its namespace. */
  sinks?: readonly SinkRule[];
  /** Events on pods (kubernetes mode). */
  kube?: KubeGateway;
  /** Extra readiness, e.g. the pod watch having synced. */
  isReady?: () => boolean;
  /** How often expired registrations are swept; 0 turns the timer off (tests sweep by hand). */
  sweepIntervalMs?: number;
  /**
   * Whether this replica leads the single-writer chores (server/leader/chores.ts): retention after an
   * upload runs only on the leader. True when unset (one replica).
   */
  isLeader?: () => boolean;
  /** Several replicas: start slots as Leases every replica sees; freed by whichever replica sees the end. */
  sharedSlots?: SharedSlots;
  /** The process's logger (main.ts), or pino options (tests); silent when unset. */
  logger?: FastifyServerOptions['logger'] | FastifyBaseLogger;
  /** The serving certificate of both listeners (a cluster); plain HTTP without it (local mode). */
  https?: { cert: string | Buffer; key: string | Buffer };
  /** The built web UI (ui/dist by default). */
  uiDir?: string;
  /** Auth mode `proxy` with a client CA: identity headers count only from the oauth-proxy's certificate. */
  trustedProxy?: TrustedProxy;
  /** The aggregated API: X-Remote-* headers count only over the API server's front-proxy certificate. */
  frontProxy?: FrontProxy;
  /**
   * `ingress.trustedProxies`: addresses and CIDR ranges of the Route or Ingress in front of the user
   * listener. A request from one of them has the client address its X-Forwarded-For names (the token
   * review budget is per client); from anyone else, X-Forwarded-For is ignored.
   */
  trustedProxies?: readonly string[];
  /** Agent mode (`agent.enabled`): node agents register, and record pods that have no sidecar. */
  agentMode?: AgentMode;
  /** Continuous profiling (with agent mode): selections, their windows and metrics. */
  continuous?: ContinuousMode | undefined;
  /** Local mode: the user listener answers only callers who show this key (auth/run-key-hook.ts). */
  localKey?: LocalKey;
  /** Past these both listeners refuse new requests (503, Retry-After); the process's own limits when unset. */
  pressureLimits?: PressureLimits;
}

export interface ServerApps {
  /** Browsers, CLI, operator: UI, /api/v1 user routes, /proxy, catalog reads and deletes, probes, metrics. */
  user: FastifyInstance;
  /** Sidecars and agents: registration, artifact uploads, probes. */
  recorder: FastifyInstance;
}

/** What both apps share beside their deps. */
interface Shared {
  running: RunningRecordings;
  metrics: ServerMetrics;
  events: ReturnType<typeof podEvents>;
  /** The recording (or every recording of the pod) ended: its shared slots are free, whoever held them. */
  freeSlots(namespace: string, pod: string, recording?: string): void;
  /** Where starts hold their slots: this replica's memory, or Leases (proxy/start-slots.ts). */
  slots: StartSlots;
  /** The process's memory, watched once for both listeners' load shedding. */
  pressure: Pressure;
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

/** Events on the pod: a start through the user app, the end through an upload to the recorder app. */
function podEvents(deps: ServerAppDeps, log: () => FastifyBaseLogger | undefined) {
  const warn = (error: unknown): void => log()?.warn({ err: error }, 'could not record a pod event');
  const send = (event: PodEvent): void => {
    deps.kube?.recordEvent(event).catch(warn);
  };
  return {
    started(registration: Registration, status: RecordingStatus, identity: Identity): void {
      send({
        namespace: registration.namespace,
        pod: registration.pod,
        ...(registration.podUid ? { podUid: registration.podUid } : {}),
        reason: 'FurnaceRecordingStarted',
        message: `Furnace recording ${status.id} started by ${identity.user}`,
        type: 'Normal',
      });
    },
    updated(entry: CatalogEntry, previous: CatalogEntry | undefined): void {
      if (!isFinished(entry) || isFinished(previous)) return;
      const { id, namespace, pod, state, samples, error } = entry;
      log()?.info({ id, namespace, pod, state, samples, error }, 'recording finished');
      const podUid = deps.registry.get(entry.namespace, entry.pod)?.podUid;
      send({
        namespace: entry.namespace,
        pod: entry.pod,
        ...(podUid ? { podUid } : {}),
        reason: entry.state === 'done' ? 'FurnaceRecordingFinished' : 'FurnaceRecordingFailed',
        message: `Furnace recording ${entry.id} ${entry.state === 'done' ? 'finished' : `failed: ${entry.error ?? 'unknown error'}`}`,
        type: entry.state === 'done' ? 'Normal' : 'Warning',
      });
    },
  };
}

function startSweeps(
  app: FastifyInstance,
  deps: ServerAppDeps,
  onExpired: (registration: Registration) => void,
): void {
  const interval = deps.sweepIntervalMs ?? 5000;
  if (interval <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', () => {
    // Each replica's own memory; retention is a leader's chore (main.ts, server/leader/chores.ts).
    timer = setInterval(() => {
      for (const registration of deps.registry.sweep()) onExpired(registration);
      deps.agentMode?.agents.sweep();
    }, interval);
    timer.unref();
    return Promise.resolve();
  });
  app.addHook('onClose', () => {
    clearInterval(timer);
    return Promise.resolve();
  });
}

function isLogger(logger: ServerAppDeps['logger']): logger is FastifyBaseLogger {
  return typeof logger === 'object' && typeof (logger as { child?: unknown }).child === 'function';
}

function newApp(
  deps: ServerAppDeps,
  pressure: Pressure,
  tlsExtra: object = {},
  extra: FastifyServerOptions = {},
): FastifyInstance {
  const app = Fastify({
    ...extra,
    ...(isLogger(deps.logger) ? { loggerInstance: deps.logger } : { logger: deps.logger ?? false }),
    // Per-request child loggers are made on a request's first line (operations/lazy-request-log.ts).
    ...(deps.logger ? { childLoggerFactory: lazyRequestLog } : {}),
    ...(deps.https ? { https: { ...deps.https, ...tlsExtra } } : {}),
    // Large artifacts stream; JSON bodies stay small.
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  installErrorHandler(app);
  void installLoadShedding(app, pressure);
  return app;
}

function catalogDeps(deps: ServerAppDeps, shared: Shared): CatalogRouteDeps {
  return {
    catalog: deps.catalog,
    registry: deps.registry,
    limitsFor: deps.limitsFor,
    uploadTimeoutSeconds: deps.uploadTimeoutSeconds,
    ...(deps.agentMode ? { agentUploader: deps.agentMode.uploaderOf } : {}),
    starterOf: (id, owner) => shared.running.starterOf(id, owner.namespace, owner.pod),
    stopperOf: (id, owner) => shared.running.stopperOf(id, owner.namespace, owner.pod),
    ...(deps.isLeader ? { isLeader: deps.isLeader } : {}),
    onRecordingUpdated: (entry, previous) => {
      if (isFinished(entry)) {
        shared.running.finish(entry.id);
        if (!isFinished(previous)) shared.freeSlots(entry.namespace, entry.pod, entry.id);
      }
      shared.events.updated(entry, previous);
    },
  };
}

/** A whole request on the recorder listener, as a backstop: an upload's own deadline answers first. */
const RECORDER_REQUEST_MARGIN_SECONDS = 30;

function buildRecorderApp(deps: ServerAppDeps, shared: Shared): FastifyInstance {
  const requestTimeout = (deps.uploadTimeoutSeconds + RECORDER_REQUEST_MARGIN_SECONDS) * 1000;
  const app = newApp(deps, shared.pressure, {}, { requestTimeout });
  installRouteGuards(app, {});
  // Kubelet probes reach the pod IP; in mode `proxy` the user listener may be on loopback only.
  registerHealthRoutes(app, () => deps.isReady?.() ?? true);
  const sharedRegistrations = deps.sharedRegistrations;
  void app.register((scope, _options, done) => {
    registerSidecarRoutes(scope, {
      registry: deps.registry,
      mode: deps.registration,
      now: deps.now,
      maxArtifactBytesFor: (namespace) => deps.limitsFor(namespace).maxArtifactBytes,
      ...(sharedRegistrations ? { write: (input) => sharedRegistrations.writeSidecar(input) } : {}),
    });
    const { agentMode } = deps;
    if (agentMode)
      registerAgentRoutes(scope, {
        ...agentMode,
        ...(sharedRegistrations ? { write: (input) => sharedRegistrations.writeAgent(input) } : {}),
        now: deps.now,
      });
    if (agentMode && deps.continuous) registerAgentContinuousRoutes(scope, { ...deps.continuous, agentMode });
    registerCatalogUploadRoutes(scope, catalogDeps(deps, shared));
    done();
  });
  startSweeps(app, deps, (registration) => {
    shared.running.finishPod(registration.namespace, registration.pod);
    shared.freeSlots(registration.namespace, registration.pod);
  });
  app.addHook('preClose', async () => {
    await deps.catalog.drain();
  });
  return app;
}

/** Client certificates are asked for (never required) when an oauth-proxy or the API server may present one. */
export function userTlsExtra(
  deps: Pick<ServerAppDeps, 'trustedProxy' | 'frontProxy'>,
): Partial<ReturnType<typeof clientCertificateOptions>> {
  const cas = [deps.trustedProxy?.ca, deps.frontProxy?.ca].filter((ca) => ca !== undefined);
  return cas.length > 0 ? clientCertificateOptions({ ca: cas.join('\n'), identityHeaders: [] }) : {};
}

function buildUserApp(deps: ServerAppDeps, shared: Shared): FastifyInstance {
  const { trustedProxy, frontProxy } = deps;
  const trusted = deps.trustedProxies ?? [];
  const app = newApp(deps, shared.pressure, userTlsExtra(deps), {
    rewriteUrl: rewriteAggregatedUrl,
    ...(trusted.length > 0 ? { trustProxy: [...trusted] } : {}),
  });
  installRequestGuard(app, { loopbackOnly: deps.access.mode === 'none' });
  if (deps.localKey) installRunKey(app, deps.localKey.key, deps.localKey.file);
  if (trustedProxy) installTrustedProxy(app, trustedProxy);
  // Installed always: without a request-header CA no certificate vouches, and X-Remote-* headers are dropped.
  installFrontProxy(app, frontProxy ?? { ca: '', allowedNames: [] });
  checkAggregatedNamespace(app, { catalog: deps.catalog });
  // Every route names who may call it; one hook authenticates and authorizes (auth/route-guard-hook.ts).
  installRouteGuards(app, {
    access: deps.access,
    recordingNamespace: (id) => deps.catalog.get(id)?.namespace,
  });
  registerAggregatedRoutes(app);
  registerHealthRoutes(app, () => deps.isReady?.() ?? true);
  void app.register((scope, _options, done) => {
    registerMetricsRoute(scope, { metricsRegistry: deps.metricsRegistry });
    registerSidecarListRoute(scope, {
      registry: deps.registry,
      ...(deps.agentMode ? { agents: deps.agentMode.routing } : {}),
    });
    registerCatalogUserRoutes(scope, catalogDeps(deps, shared));
    if (deps.continuous) {
      registerContinuousUserRoutes(scope, { ...deps.continuous, now: deps.now });
      registerTimelineRoutes(scope, deps.continuous);
    }
    registerMergedArtifactRoute(scope, {
      catalog: deps.catalog,
      ...(deps.merge ? { merge: deps.merge } : {}),
    });
    registerWorkloadRoutes(scope, deps.catalog);
    done();
  });
  void app.register(async (scope) => {
    await registerProxyRoutes(scope, {
      registry: deps.registry,
      limitsFor: deps.limitsFor,
      running: shared.running,
      metrics: shared.metrics,
      now: deps.now,
      timeoutSeconds: deps.proxyTimeoutSeconds,
      allowSystemWide: deps.allowSystemWide ?? false,
      sinks: deps.sinks ?? [],
      slots: shared.slots,
      onStarted: (registration, status, identity) => shared.events.started(registration, status, identity),
      recordingOf: (id) => deps.catalog.get(id),
      upstreams: deps.agentMode
        ? sidecarThenAgentUpstreams(deps.registry, deps.agentMode)
        : sidecarUpstreams(deps.registry),
    });
  });
  void app.register(async (scope) =>
    registerUi(scope, { ...deps, ...(deps.agentMode ? { agents: deps.agentMode.routing } : {}) }),
  );
  return app;
}

/** Both listeners' apps over the same registry, catalog, running recordings and metrics. */
export function buildServerApps(deps: ServerAppDeps): ServerApps {
  const running = createRunningRecordings(deps.now);
  const metrics = createServerMetrics(deps.metricsRegistry, {
    registeredSidecars: () => deps.registry.size(),
    recordingsByState: () => recordingsByState(deps.catalog, running),
  });
  const apps: Partial<ServerApps> = {};
  const events = podEvents(deps, () => apps.recorder?.log);
  // A start waits for its recorder's answer at most twice the proxy's timeout: then its slot stops counting.
  const reserving = { running, now: deps.now, reservationSeconds: 2 * deps.proxyTimeoutSeconds + 60 };
  const slots = deps.sharedSlots ? leaseStartSlots(deps.sharedSlots, reserving) : memoryStartSlots(reserving);
  const freeSlots = (namespace: string, pod: string, recording?: string): void => {
    slots
      .release(namespace, pod, recording)
      .catch((error: unknown) =>
        apps.recorder?.log.warn({ err: error, namespace, pod }, 'could not free the start slots'),
      );
  };
  const pressure = watchPressure(deps.pressureLimits ?? pressureLimitsOfProcess());
  const shared: Shared = { running, metrics, events, freeSlots, slots, pressure };
  apps.recorder = buildRecorderApp(deps, shared);
  apps.user = buildUserApp(deps, shared);
  return { user: apps.user, recorder: apps.recorder };
}
