// The server process: loads and validates the whole configuration from the environment before anything
// listens, then listens and handles signals. `--local` runs local mode (server on loopback with auth
// `none`, plus one local sidecar process). The only reader of process.env in the server.
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { createAccess } from './auth/access.ts';
import { buildServerApp } from './build-server-app.ts';
import { openCatalog } from './catalog/catalog-store.ts';
import { ConfigError } from '../core/config-error.ts';
import { limitsFor, type ServerConfig } from './config.ts';
import { loadServerConfig } from './load-config.ts';
import type { KubeGateway } from './kube/kube-gateway.ts';
import type { PodWatch } from './kube/pod-watch.ts';
import { createTokenCache, type TokenCache } from './kube/token-cache.ts';
import type { ClusterConnection } from './cluster-mode.ts';
import { newRegistrationSecret, spawnLocalSidecar, type LocalSidecar } from './local-mode.ts';
import { loggerOptions } from './logging.ts';
import { createMetricsRegistry } from './metrics.ts';
import type { RegistrationMode } from './registration.ts';
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
  app: FastifyInstance;
  sidecar?: LocalSidecar;
  podWatch?: PodWatch;
  webhook?: FastifyInstance;
  tls?: TlsSource;
}

async function listenOrExit(app: FastifyInstance, config: ServerConfig): Promise<void> {
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE')
      fail(`port ${config.port} on ${config.host} is already in use (set FURNACE_PORT to another port)`);
    if (code === 'EACCES') fail(`not allowed to listen on ${config.host}:${config.port}`);
    throw error;
  }
}

async function startClusterParts(
  cluster: ClusterConnection,
  config: ServerConfig,
  running: Running,
  registry: Registry,
  tokens: TokenCache,
  metricsRegistry: MetricsRegistry,
): Promise<void> {
  running.podWatch = cluster.watchPods(registry, tokens, running.app.log);
  if (!config.webhook || !running.tls) return;
  const { buildWebhook } = await import('./cluster-mode.ts');
  const webhook = buildWebhook({
    injection: config.webhook.injection,
    tls: running.tls,
    log: running.app.log,
    metricsRegistry,
  });
  await webhook.listen({ host: config.host, port: config.webhook.port });
  running.webhook = webhook;
}

async function start(local: boolean): Promise<Running> {
  const config = await loadServerConfig({ env: process.env, local });
  const tlsSource = await watchTls(config.tls);
  await mkdir(config.dataDir, { recursive: true });
  const now = (): number => Date.now();
  const catalog = await openCatalog({ dataDir: config.dataDir, now, retention: config.retention });
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
  const running: Running = {
    app: undefined as unknown as FastifyInstance,
    ...(tlsSource ? { tls: tlsSource } : {}),
  };
  // One TokenReview cache for users and sidecars, so the pod watch can drop a deleted pod's reviews.
  const tokens = createTokenCache({ now, ...config.tokenReview });
  const registration: RegistrationMode = kube
    ? {
        kind: 'kubernetes',
        kube,
        sidecarImages: config.sidecarImages,
        tokens,
        cachedPod: (namespace, name) => running.podWatch?.getPod(namespace, name),
      }
    : { kind: 'local', secret, hostname: podName };
  const metricsRegistry = createMetricsRegistry();
  const tls = running.tls?.current();
  const app = buildServerApp({
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
    isReady: () => running.podWatch?.isSynced() ?? true,
    logger: loggerOptions(config.logLevel),
    ...(tls ? { https: tls } : {}),
  });
  running.app = app;
  running.tls?.subscribe((material) => (app.server as unknown as TlsServer).setSecureContext(material));
  await listenOrExit(app, config);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `${tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  if (cluster) await startClusterParts(cluster, config, running, registry, tokens, metricsRegistry);
  if (local && config.localSidecar) {
    running.sidecar = spawnLocalSidecar({
      serverUrl: url,
      secret,
      hostname: podName,
      dataDir: config.dataDir,
      baseEnv: process.env,
    });
    running.sidecar.process.once('exit', (code, signal) => {
      if (!stopping) fail(`the local sidecar exited unexpectedly (${signal ?? `code ${code}`})`);
    });
  }
  process.stdout.write(`Furnace ${local ? 'local mode ' : ''}listening on ${url}\n`);
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
  await running.app.close();
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
      () => process.exit(0),
      (error: unknown) => fail(`shutdown failed: ${(error as Error).message}`),
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

await main();
