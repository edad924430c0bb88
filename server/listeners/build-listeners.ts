// The server's two API listeners as un-listened Fastify instances, with what every route on them shares
// (the error handler, load shedding, the guards, probes and metrics) and the routes the modules add
// (listener-routes.ts). The recorder app is what sidecars and agents reach; the user app is what browsers,
// the CLI and the operator reach. A pod can reach the recorder listener, never the user one, so nothing a
// pod sends can pass for a user. The listeners module listens; tests call inject().
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry as MetricsRegistry } from 'prom-client';
import { installErrorHandler } from '../../core/contract/http-errors.ts';
import {
  checkAggregatedNamespace,
  registerAggregatedRoutes,
  rewriteAggregatedUrl,
} from '../aggregated-api.ts';
import type { Access } from '../auth/access.ts';
import { installFrontProxy, type FrontProxy } from '../auth/front-proxy.ts';
import { installRequestGuard } from '../auth/request-guard-hook.ts';
import { installRouteGuards } from '../auth/route-guard-hook.ts';
import { installRunKey } from '../auth/run-key-hook.ts';
import { clientCertificateOptions, installTrustedProxy, type TrustedProxy } from '../auth/trusted-proxy.ts';
import type { Catalog } from '../catalog/catalog-store.ts';
import type { LocalKey } from '../local-mode.ts';
import { lazyRequestLog } from '../operations/lazy-request-log.ts';
import {
  installLoadShedding,
  watchPressure,
  type Pressure,
  type PressureLimits,
} from '../operations/load-shedding.ts';
import { registerHealthRoutes, registerMetricsRoute } from '../operations/operational-routes.ts';
import type { ListenerRoutes, RouteRegistrar } from './listener-routes.ts';

/** The client CAs the user listener trusts: an oauth-proxy's and the API server's front proxy's. */
export interface ProxyTrust {
  /** Auth mode `proxy` with a client CA: identity headers count only from the oauth-proxy's certificate. */
  trustedProxy?: TrustedProxy;
  /** The aggregated API: X-Remote-* headers count only over the API server's front-proxy certificate. */
  frontProxy?: FrontProxy;
}

export interface ListenerSettings {
  access: Access;
  /** Recordings' namespaces for the guards; uploads drained before the recorder listener closes. */
  catalog: Catalog;
  metricsRegistry: MetricsRegistry;
  /** `recorder.uploadTimeoutSeconds`: the longest an artifact upload's body may take. */
  uploadTimeoutSeconds: number;
  /** Every module ready and no stop begun (the probes). */
  isReady: () => boolean;
  /** The process's one logger: both listeners log through it. */
  log: FastifyBaseLogger;
  /** The serving certificate of both listeners (a cluster); plain HTTP without one (local mode). */
  https: { cert: string | Buffer; key: string | Buffer } | undefined;
  trust: ProxyTrust;
  /**
   * `ingress.trustedProxies`: addresses and CIDR ranges of the Route or Ingress in front of the user
   * listener. A request from one of them has the client address its X-Forwarded-For names (the token
   * review budget is per client); from anyone else, X-Forwarded-For is ignored.
   */
  trustedProxies: readonly string[];
  /** Local mode: the user listener answers only callers who show this key (auth/run-key-hook.ts). */
  localKey: LocalKey | undefined;
  /** Past these both listeners refuse new requests (503, Retry-After). */
  pressureLimits: PressureLimits;
}

export interface ServerApps {
  /** Browsers, CLI, operator: UI, /api/v1 user routes, /proxy, catalog reads and deletes, probes, metrics. */
  user: FastifyInstance;
  /** Sidecars and agents: registration, artifact uploads, probes. */
  recorder: FastifyInstance;
}

function newApp(
  settings: ListenerSettings,
  pressure: Pressure,
  tlsExtra: object,
  extra: FastifyServerOptions,
): FastifyInstance {
  const { https } = settings;
  const app = Fastify({
    ...extra,
    loggerInstance: settings.log,
    // Per-request child loggers are made on a request's first line (operations/lazy-request-log.ts).
    childLoggerFactory: lazyRequestLog,
    ...(https ? { https: { ...https, ...tlsExtra } } : {}),
    // Large artifacts stream; JSON bodies stay small.
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  installErrorHandler(app);
  void installLoadShedding(app, pressure);
  return app;
}

/** Each module's routes in a scope of their own, in the order the modules started. */
function registerAll(app: FastifyInstance, registrars: readonly (RouteRegistrar | undefined)[]): void {
  for (const registrar of registrars) if (registrar) void app.register(async (scope) => registrar(scope));
}

/** A whole request on the recorder listener, as a backstop: an upload's own deadline answers first. */
const RECORDER_REQUEST_MARGIN_SECONDS = 30;

function buildRecorderApp(settings: ListenerSettings, pressure: Pressure, routes: readonly ListenerRoutes[]) {
  const requestTimeout = (settings.uploadTimeoutSeconds + RECORDER_REQUEST_MARGIN_SECONDS) * 1000;
  const app = newApp(settings, pressure, {}, { requestTimeout });
  installRouteGuards(app, {});
  // Kubelet probes reach the pod IP; in mode `proxy` the user listener may be on loopback only.
  registerHealthRoutes(app, settings.isReady);
  registerAll(
    app,
    routes.map((r) => r.recorder),
  );
  app.addHook('preClose', async () => {
    await settings.catalog.drain();
  });
  return app;
}

/** Client certificates are asked for (never required) when an oauth-proxy or the API server may present one. */
export function userTlsExtra(trust: ProxyTrust): Partial<ReturnType<typeof clientCertificateOptions>> {
  const cas = [trust.trustedProxy?.ca, trust.frontProxy?.ca].filter((ca) => ca !== undefined);
  return cas.length > 0 ? clientCertificateOptions({ ca: cas.join('\n'), identityHeaders: [] }) : {};
}

function buildUserApp(settings: ListenerSettings, pressure: Pressure, routes: readonly ListenerRoutes[]) {
  const { trust, access, catalog, localKey } = settings;
  const trusted = settings.trustedProxies;
  const app = newApp(settings, pressure, userTlsExtra(trust), {
    rewriteUrl: rewriteAggregatedUrl,
    ...(trusted.length > 0 ? { trustProxy: [...trusted] } : {}),
  });
  installRequestGuard(app, { loopbackOnly: access.mode === 'none' });
  if (localKey) installRunKey(app, localKey.key, localKey.file);
  if (trust.trustedProxy) installTrustedProxy(app, trust.trustedProxy);
  // Installed always: without a request-header CA no certificate vouches, and X-Remote-* headers are dropped.
  installFrontProxy(app, trust.frontProxy ?? { ca: '', allowedNames: [] });
  checkAggregatedNamespace(app, { catalog });
  // Every route names who may call it; one hook authenticates and authorizes (auth/route-guard-hook.ts).
  installRouteGuards(app, { access, recordingNamespace: (id) => catalog.get(id)?.namespace });
  registerAggregatedRoutes(app);
  registerHealthRoutes(app, settings.isReady);
  registerMetricsRoute(app, { metricsRegistry: settings.metricsRegistry });
  registerAll(
    app,
    routes.map((r) => r.user),
  );
  return app;
}

/** Both listeners' apps, with the routes the modules add to each. */
export function buildServerApps(settings: ListenerSettings, routes: readonly ListenerRoutes[]): ServerApps {
  const pressure = watchPressure(settings.pressureLimits);
  return {
    recorder: buildRecorderApp(settings, pressure, routes),
    user: buildUserApp(settings, pressure, routes),
  };
}
