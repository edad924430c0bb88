// The modules that listen or run beside the listeners: the two API listeners (user and recorder), the
// admission webhook (a cluster with `webhook.enabled`), and local mode's own sidecar process.
import { hostname } from 'node:os';
import { DEFAULT_INJECTION_CONFIG } from '../../core/injection/injection-config.ts';
import { createAccess } from '../auth/access.ts';
import { buildServerApps, type ServerAppDeps } from '../build-server-app.ts';
import { limitsFor, SERVER_ENV } from '../config/config.ts';
import { listenOn, readProxyTrust, reloadListenerTls } from '../listen.ts';
import { newRegistrationSecret, readLocalKey, spawnLocalSidecar } from '../local-mode.ts';
import type { RegistrationMode } from '../registry/sidecar-registration.ts';
import { closeConnectionsWhileDraining, closeWithin } from '../shutdown.ts';
import type { Context, LocalRecorder, Module } from './server-base.ts';
import { started } from './server-module.ts';

/** Sidecars prove who they are by TokenReview in a cluster, by the shared secret in local mode. */
function registrationMode({ base, get }: Context, local: LocalRecorder | undefined): RegistrationMode {
  const cluster = get('cluster');
  const { config } = base;
  if (!cluster)
    return { kind: 'local', ...(local ?? { secret: newRegistrationSecret(), hostname: hostname() }) };
  const watch = get('podWatch');
  const { tokens, keys } = get('recorders');
  // N replicas: a review made by one travels to the others as a ticket the sidecar shows back.
  return {
    kind: 'kubernetes',
    kube: cluster.kube,
    sidecarImages: config.sidecarImages,
    injection: config.webhook?.injection ?? DEFAULT_INJECTION_CONFIG,
    tokens,
    cachedPod: (namespace, name) => watch?.getPod(namespace, name),
    ...(get('shared') ? { reviewTickets: keys } : {}),
  };
}

/** The apps' parts that come from other modules. */
async function appDeps(ctx: Context, local: LocalRecorder | undefined): Promise<ServerAppDeps> {
  const { base, get } = ctx;
  const { config, now } = base;
  const kube = get('cluster')?.kube;
  const { sidecars, tokens } = get('recorders');
  const shared = get('shared');
  const [slots, agentMode, continuous, leader] = [
    get('slots'),
    get('agent'),
    get('continuous'),
    get('leader'),
  ];
  const localKey = base.local ? await readLocalKey(config.dataDir) : undefined;
  return {
    ...{ catalog: get('catalog'), registry: sidecars, registration: registrationMode(ctx, local), now },
    ...{ metricsRegistry: base.metricsRegistry, continuous, isLeader: () => leader.isLeader() },
    ...(slots ? { sharedSlots: slots } : {}),
    ...(localKey ? { localKey } : {}),
    access: createAccess({
      ...{ mode: config.authMode, userHeader: config.userHeader, groupsHeader: config.groupsHeader },
      ...{ sessionSeconds: config.sessionSeconds, now, tokens },
      ...(shared?.sessions ? { sessions: shared.sessions } : {}),
      ...(kube ? { kube } : {}),
    }),
    limitsFor: (namespace) => limitsFor(config, namespace),
    ...{ proxyTimeoutSeconds: config.proxyTimeoutSeconds, uploadTimeoutSeconds: config.uploadTimeoutSeconds },
    ...{ merge: config.merge, allowSystemWide: config.allowSystemWide, sinks: config.sinks },
    ...(kube ? { kube } : {}),
    isReady: ctx.isReady,
    ...(shared ? { sharedRegistrations: shared.registrations } : {}),
    logger: base.log,
    ...(get('tls') ? { https: get('tls')!.current() } : {}),
    ...(await readProxyTrust(config)),
    trustedProxies: config.trustedProxies,
    ...(agentMode ? { agentMode } : {}),
  };
}

export const listenersModule: Module = {
  name: 'listeners',
  needs: [
    'tls',
    'cluster',
    'catalog',
    'recorders',
    'shared',
    'podWatch',
    'agent',
    'leader',
    'slots',
    'continuous',
  ],
  async start(ctx) {
    const { config, draining } = ctx.base;
    const local = ctx.base.local
      ? { secret: config.registrationSecret ?? newRegistrationSecret(), hostname: hostname() }
      : undefined;
    const deps = await appDeps(ctx, local);
    const apps = buildServerApps(deps);
    for (const app of [apps.user, apps.recorder]) closeConnectionsWhileDraining(app, draining);
    const tls = ctx.get('tls');
    tls?.subscribe((material) => reloadListenerTls(apps, material, deps));
    // The user port first: it is the one people pick, and a clash there stops start-up with one line.
    const url = await listenOn(apps.user, config, SERVER_ENV.port, tls !== undefined);
    const recorderUrl = await listenOn(
      apps.recorder,
      config.recorder,
      SERVER_ENV.recorderPort,
      tls !== undefined,
    );
    return started(
      {
        url,
        recorderUrl,
        ...(local ? { local } : {}),
        ...(deps.localKey ? { localKey: deps.localKey } : {}),
      },
      {
        stop: async (graceMs) => {
          await closeWithin(apps.user, graceMs);
          await closeWithin(apps.recorder, graceMs);
        },
      },
    );
  },
};

/** The admission webhook's own HTTPS listener (a cluster with `webhook.enabled` and a certificate). */
export const webhookModule: Module = {
  name: 'webhook',
  needs: ['tls', 'listeners'],
  async start({ base, get }) {
    const { config } = base;
    const tls = get('tls');
    if (base.local || !config.webhook || !tls) return started(undefined);
    const { buildWebhook } = await import('../cluster-mode.ts');
    const webhook = buildWebhook({
      injection: config.webhook.injection,
      tls,
      log: base.log,
      metricsRegistry: base.metricsRegistry,
    });
    closeConnectionsWhileDraining(webhook, base.draining);
    await webhook.listen({ host: config.webhook.host, port: config.webhook.port });
    return started(undefined, { stop: (graceMs) => closeWithin(webhook, graceMs) });
  },
};

/** Local mode's sidecar process, registered with the recorder listener by the shared secret. */
export const localSidecarModule: Module = {
  name: 'localSidecar',
  needs: ['listeners'],
  start({ base, get }) {
    const { config } = base;
    const { recorderUrl, local } = get('listeners');
    if (!local || !config.localSidecar) return started(undefined);
    const sidecar = spawnLocalSidecar({
      serverUrl: recorderUrl,
      ...local,
      dataDir: config.dataDir,
      baseEnv: base.env,
      logFormat: config.logFormat,
    });
    sidecar.process.once('exit', (code, signal) => {
      if (!base.draining.on) base.fail(`the local sidecar exited unexpectedly (${signal ?? `code ${code}`})`);
    });
    return started(undefined, { stop: () => sidecar.stop() });
  },
};
