// The server's API listener as an un-listened Fastify instance: registration, sidecar list,
// proxy, catalog, health and metrics. main.ts listens; tests call inject().
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { RecordingLimits } from '../core/limits.ts';
import { isFinished, type CatalogEntry, type RecordingStatus } from '../core/recording.ts';
import type { Access, Identity } from './auth/access.ts';
import { registerCatalogRoutes } from './catalog/catalog-routes.ts';
import type { Catalog } from './catalog/catalog-store.ts';
import { installErrorHandler } from '../core/http-errors.ts';
import type { KubeGateway, PodEvent } from './kube/kube-gateway.ts';
import { createServerMetrics } from './metrics.ts';
import { registerProxyRoutes } from './proxy.ts';
import { registerSidecarRoutes, type RegistrationMode } from './registration.ts';
import type { Registration, Registry } from './registry/lease-registry.ts';
import { createRunningRecordings, type RunningRecordings } from './running-recordings.ts';
import { registerSidecarListRoute } from './sidecar-list.ts';

export interface ServerAppDeps {
  registry: Registry;
  catalog: Catalog;
  access: Access;
  registration: RegistrationMode;
  metricsRegistry: MetricsRegistry;
  limitsFor: (namespace: string) => Readonly<RecordingLimits>;
  now: () => number;
  proxyTimeoutSeconds: number;
  /** The setting `recording.allowSystemWide`: whole-node recordings (still need their own permission). */
  allowSystemWide?: boolean;
  /** Events on pods (kubernetes mode). */
  kube?: KubeGateway;
  /** Extra readiness, e.g. the pod watch having synced. */
  isReady?: () => boolean;
  /** How often expired leases and old recordings are swept; 0 turns the timer off (tests sweep by hand). */
  sweepIntervalMs?: number;
  logger?: FastifyServerOptions['logger'];
  https?: { cert: string | Buffer; key: string | Buffer };
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

function podEvents(deps: ServerAppDeps, app: FastifyInstance) {
  const send = (event: PodEvent): void => {
    deps.kube
      ?.recordEvent(event)
      .catch((error: unknown) => app.log.warn({ err: error }, 'could not record a pod event'));
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

function registerOperationalRoutes(app: FastifyInstance, deps: ServerAppDeps): void {
  const statusSchema = { 200: { type: 'object', properties: { status: { type: 'string' } } } };
  app.get('/healthz', { schema: { response: statusSchema } }, () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    { schema: { response: { ...statusSchema, 503: statusSchema[200] } } },
    (_request, reply) => {
      const ready = deps.isReady?.() ?? true;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'starting' });
    },
  );
  app.get('/metrics', async (_request, reply) => {
    const text = await deps.metricsRegistry.metrics();
    return reply.type(deps.metricsRegistry.contentType).send(text);
  });
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
    let ticks = 0;
    timer = setInterval(() => {
      for (const registration of deps.registry.sweep()) onExpired(registration);
      ticks += 1;
      if (ticks % 60 === 0)
        deps.catalog
          .applyRetention()
          .catch((error: unknown) => app.log.warn({ err: error }, 'retention failed'));
    }, interval);
    timer.unref();
    return Promise.resolve();
  });
  app.addHook('onClose', () => {
    clearInterval(timer);
    return Promise.resolve();
  });
}

export function buildServerApp(deps: ServerAppDeps): FastifyInstance {
  const app = Fastify({
    logger: deps.logger ?? false,
    ...(deps.https ? { https: deps.https } : {}),
    // Large artifacts stream; JSON bodies stay small.
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  installErrorHandler(app);
  const running = createRunningRecordings(deps.now);
  const metrics = createServerMetrics(deps.metricsRegistry, {
    registeredSidecars: () => deps.registry.size(),
    recordingsByState: () => recordingsByState(deps.catalog, running),
  });
  const events = podEvents(deps, app);
  startSweeps(app, deps, (registration) => running.finishPod(registration.namespace, registration.pod));

  registerOperationalRoutes(app, deps);
  void app.register((scope, _options, done) => {
    registerSidecarRoutes(scope, { registry: deps.registry, mode: deps.registration, now: deps.now });
    registerSidecarListRoute(scope, { registry: deps.registry, access: deps.access });
    done();
  });
  void app.register((scope, _options, done) => {
    registerCatalogRoutes(scope, {
      catalog: deps.catalog,
      registry: deps.registry,
      access: deps.access,
      limitsFor: deps.limitsFor,
      onRecordingUpdated: (entry, previous) => {
        if (isFinished(entry)) running.finish(entry.id);
        events.updated(entry, previous);
      },
    });
    done();
  });
  void app.register(async (scope) => {
    await registerProxyRoutes(scope, {
      registry: deps.registry,
      access: deps.access,
      limitsFor: deps.limitsFor,
      running,
      metrics,
      now: deps.now,
      timeoutSeconds: deps.proxyTimeoutSeconds,
      allowSystemWide: deps.allowSystemWide ?? false,
      onStarted: (registration, status, identity) => events.started(registration, status, identity),
    });
  });
  app.addHook('preClose', async () => {
    await deps.catalog.drain();
  });
  return app;
}
