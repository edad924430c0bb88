// The server process: loads and validates the whole configuration from the environment before anything
// listens, then listens and handles signals. Two API listeners (server/build-server-app.ts): the user
// one (`host`, `port`) and the recorder one (`recorder.host`, `recorder.port`), plus the webhook in a
// cluster. `--local` runs local mode (both on loopback, auth `none`, plus one local sidecar process that
// registers with the recorder listener). The only reader of process.env in the server.
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { createAccess } from './auth/access.ts';
import type { TrustedProxy } from './auth/trusted-proxy.ts';
import { buildServerApps, userTlsExtra, type ServerApps } from './build-server-app.ts';
import type { FrontProxy } from './auth/front-proxy.ts';
import { openCatalog } from './catalog/catalog-store.ts';
import { ConfigError } from '../core/config/config-error.ts';
import { limitsFor, SERVER_ENV, type ServerConfig } from './config/config.ts';
import { listenOn, readClientCa } from './listen.ts';
import { loadServerConfig } from './config/load-config.ts';
import type { KubeGateway } from './kube/kube-gateway.ts';
import type { PodWatch } from './kube/pod-watch.ts';
import { createTokenCache, type TokenCache } from './kube/token-cache.ts';
import type { ClusterConnection } from './cluster-mode.ts';
import { newRegistrationSecret, spawnLocalSidecar, type LocalSidecar } from './local-mode.ts';
import { loggerOptions } from './operations/logging.ts';
import { createMetricsRegistry } from './operations/metrics.ts';
import type { RegistrationMode } from './registry/sidecar-registration.ts';
import { createAgentMode, type AgentMode } from './agent/agent-mode.ts';
import { createRegistry, type Registry } from './registry/lease-registry.ts';
import type { Registry as MetricsRegistry } from 'prom-client';
import { randomBytes } from 'node:crypto';
import type { Server as TlsServer } from 'node:tls';
import { watchTlsFiles, type TlsSource } from './webhook/tls.ts';

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

interface Running {
  apps: ServerApps;
  sidecar?: LocalSidecar;
  podWatch?: PodWatch;
  webhook?: FastifyInstance;
  tls?: TlsSource;
}

async function startClusterParts(
  cluster: ClusterConnection,
  config: ServerConfig,
  running: Running,
  registry: Registry,
  tokens: TokenCache,
  metricsRegistry: MetricsRegistry,
  agentMode: AgentMode | undefined,
): Promise<void> {
  running.podWatch = cluster.watchPods(registry, tokens, running.apps.user.log, agentMode?.agents);
  if (!config.webhook || !running.tls) return;
  const { buildWebhook } = await import('./cluster-mode.ts');
  const webhook = buildWebhook({
    injection: config.webhook.injection,
    tls: running.tls,
    log: running.apps.user.log,
    metricsRegistry,
  });
  await webhook.listen({ host: config.webhook.host, port: config.webhook.port });
  running.webhook = webhook;
}

async function start(local: boolean): Promise<Running> {
  const config = await loadServerConfig({ env: process.env, local });
  const tlsSource = await watchTls(config.tls);
  await mkdir(config.dataDir, { recursive: true });
  const now = (): number => Date.now();
  const catalog = await openCatalog({
    dataDir: config.dataDir,
    now,
    retention: config.retention,
    onLoad: (report) => process.stderr.write(`furnace: catalog reload skipped ${JSON.stringify(report)}\n`),
  });
  const registry = createRegistry({
    now,
    leaseSeconds: config.leaseSeconds,
    newToken: () => randomBytes(32).toString('base64url'),
  });
  const cluster: ClusterConnection | undefined = local
    ? undefined
    : (await import('./cluster-mode.ts')).connectCluster();
  const kube: KubeGateway | undefined = cluster?.kube;
  const secret = config.registrationSecret ?? newRegistrationSecret();
  const podName = hostname();
  const trustedProxy: TrustedProxy | undefined = config.proxyClientCaFile
    ? {
        ca: await readClientCa(config.proxyClientCaFile),
        identityHeaders: [config.userHeader, config.groupsHeader],
      }
    : undefined;
  const frontProxy: FrontProxy | undefined = config.requestHeader
    ? {
        ca: await readClientCa(config.requestHeader.clientCaFile, 'requestHeader.clientCaFile'),
        allowedNames: config.requestHeader.allowedNames,
      }
    : undefined;
  // The pod watch starts once the listeners do (startClusterParts); until then there is none.
  const watch: { current?: PodWatch } = {};
  // One TokenReview cache for users and sidecars, so the pod watch can drop a deleted pod's reviews.
  const tokens = createTokenCache({ now, ...config.tokenReview });
  const registration: RegistrationMode = kube
    ? {
        kind: 'kubernetes',
        kube,
        sidecarImages: config.sidecarImages,
        tokens,
        cachedPod: (namespace, name) => watch.current?.getPod(namespace, name),
      }
    : { kind: 'local', secret, hostname: podName };
  const agentMode =
    kube && config.agent
      ? createAgentMode({
          settings: config.agent,
          kube,
          now,
          newToken: () => randomBytes(32).toString('base64url'),
          leaseSeconds: config.leaseSeconds,
          tokens,
          cachedPod: (namespace, name) => watch.current?.getPod(namespace, name),
          cachedPods: () => watch.current?.listPods() ?? [],
        })
      : undefined;
  const metricsRegistry = createMetricsRegistry();
  const tls = tlsSource?.current();
  const apps = buildServerApps({
    registry,
    catalog,
    access: createAccess({
      mode: config.authMode,
      userHeader: config.userHeader,
      groupsHeader: config.groupsHeader,
      now,
      tokens,
      ...(kube ? { kube } : {}),
    }),
    registration,
    metricsRegistry,
    limitsFor: (namespace) => limitsFor(config, namespace),
    now,
    proxyTimeoutSeconds: config.proxyTimeoutSeconds,
    allowSystemWide: config.allowSystemWide,
    ...(kube ? { kube } : {}),
    isReady: () => watch.current?.isSynced() ?? true,
    logger: loggerOptions(config.logLevel, config.logFormat),
    ...(tls ? { https: tls } : {}),
    ...(trustedProxy ? { trustedProxy } : {}),
    ...(frontProxy ? { frontProxy } : {}),
    ...(agentMode ? { agentMode } : {}),
  });
  const running: Running = { apps, ...(tlsSource ? { tls: tlsSource } : {}) };
  running.tls?.subscribe((material) => {
    (apps.recorder.server as unknown as TlsServer).setSecureContext(material);
    const clientCas = userTlsExtra({
      ...(trustedProxy ? { trustedProxy } : {}),
      ...(frontProxy ? { frontProxy } : {}),
    });
    const ca = clientCas.ca === undefined ? {} : { ca: clientCas.ca };
    (apps.user.server as unknown as TlsServer).setSecureContext({ ...material, ...ca });
  });
  // The user port first: it is the one people pick, and a clash there stops start-up with one line.
  const url = await listenOn(apps.user, config, SERVER_ENV.port, !!tls);
  const recorderUrl = await listenOn(apps.recorder, config.recorder, SERVER_ENV.recorderPort, !!tls);
  if (cluster) {
    await startClusterParts(cluster, config, running, registry, tokens, metricsRegistry, agentMode);
    if (running.podWatch) watch.current = running.podWatch;
  }
  if (local && config.localSidecar) {
    running.sidecar = spawnLocalSidecar({
      serverUrl: recorderUrl,
      secret,
      hostname: podName,
      dataDir: config.dataDir,
      baseEnv: process.env,
      logFormat: config.logFormat,
    });
    running.sidecar.process.once('exit', (code, signal) => {
      if (!stopping) fail(`the local sidecar exited unexpectedly (${signal ?? `code ${code}`})`);
    });
  }
  process.stdout.write(`Furnace ${local ? 'local mode ' : ''}listening on ${url}\n`);
  process.stdout.write(`Sidecars register at ${recorderUrl}\n`);
  if (local)
    process.stdout.write(
      `Data directory: ${config.dataDir}; local sidecar registers as pod ${podName} in namespace local\n`,
    );
  return running;
}

let stopping = false;

async function stop(running: Running): Promise<void> {
  if (stopping) return;
  stopping = true;
  await running.sidecar?.stop();
  await running.podWatch?.stop();
  await running.webhook?.close();
  await running.apps.user.close();
  await running.apps.recorder.close();
  running.tls?.close();
}

async function main(): Promise<void> {
  const local = process.argv.includes('--local');
  let running: Running;
  try {
    running = await start(local);
  } catch (error) {
    fail((error as Error).message);
  }
  const onSignal = (): void => {
    stop(running).then(
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
