// The modules that listen or run beside the listeners: the two API listeners (user and recorder), the
// admission webhook (a cluster with `webhook.enabled`), and local mode's own sidecar process.
import { SERVER_ENV } from '../config/config.ts';
import { listenOn, readProxyTrust, reloadListenerTls } from '../listen.ts';
import { buildServerApps } from '../listeners/build-listeners.ts';
import { readLocalKey, spawnLocalSidecar } from '../local-mode.ts';
import { pressureLimitsOfProcess } from '../operations/load-shedding.ts';
import { closeConnectionsWhileDraining, closeWithin } from '../shutdown.ts';
import type { Module } from './server-base.ts';
import { started } from './server-module.ts';

/** The two API listeners: what every route shares, then each module's routes, listened on. */
export const listenersModule: Module = {
  name: 'listeners',
  needs: ['tls', 'catalog', 'auth', 'registration', 'recordings', 'agent', 'continuous', 'symbols', 'ui'],
  async start(ctx) {
    const { config, draining, log, metricsRegistry } = ctx.base;
    const tls = ctx.get('tls');
    const trust = await readProxyTrust(config);
    const localKey = ctx.base.local ? await readLocalKey(config.dataDir) : undefined;
    const apps = buildServerApps(
      {
        ...{ access: ctx.get('auth'), catalog: ctx.get('catalog'), metricsRegistry, log, trust, localKey },
        ...{ uploadTimeoutSeconds: config.uploadTimeoutSeconds, trustedProxies: config.trustedProxies },
        ...{ isReady: ctx.isReady, https: tls?.current(), pressureLimits: pressureLimitsOfProcess() },
      },
      ctx.routes(),
    );
    for (const app of [apps.user, apps.recorder]) closeConnectionsWhileDraining(app, draining);
    tls?.subscribe((material) => reloadListenerTls(apps, material, trust));
    // The user port first: it is the one people pick, and a clash there stops start-up with one line.
    const url = await listenOn(apps.user, config, SERVER_ENV.port, tls !== undefined);
    const secure = tls !== undefined;
    const recorderUrl = await listenOn(apps.recorder, config.recorder, SERVER_ENV.recorderPort, secure);
    return started(
      { url, recorderUrl, localKey },
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
  needs: ['listeners', 'registration'],
  start({ base, get }) {
    const { config } = base;
    const { recorderUrl } = get('listeners');
    const { local } = get('registration');
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
