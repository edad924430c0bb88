// Builds the server app for app tests, and fake sidecars: real Fastify servers on loopback port 0.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { DEFAULT_LIMITS, type RecordingLimits } from '../../core/limits.ts';
import { createAccess, type AuthMode } from '../../server/auth/access.ts';
import { limitsFor } from '../../server/config.ts';
import { buildServerApp } from '../../server/build-server-app.ts';
import { openCatalog, type Catalog } from '../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../server/catalog/retention.ts';
import type { KubeGateway } from '../../server/kube/kube-gateway.ts';
import { createTokenCache, type TokenCacheSettings } from '../../server/kube/token-cache.ts';
import { createMetricsRegistry } from '../../server/metrics.ts';
import { createRegistry, type Registry } from '../../server/registry/lease-registry.ts';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { V1Pod } from '@kubernetes/client-node';
import { portOf } from '../harness/ports.ts';
import { recordingStatus } from '../harness/recording-status.ts';

export const SECRET = 'local-secret';
export const HOST = 'test-host';

export interface Fixture {
  app: FastifyInstance;
  registry: Registry;
  catalog: Catalog;
  metricsRegistry: MetricsRegistry;
  logLines: () => Record<string, unknown>[];
  /** Registers the local sidecar at 127.0.0.1:port and returns its tokens. */
  registerLocal: (port: number) => Promise<{ proxyToken: string; uploadToken: string }>;
  advance: (seconds: number) => void;
}

export interface FixtureOptions {
  authMode?: AuthMode;
  kube?: KubeGateway;
  registration?: 'local' | 'kubernetes';
  limits?: Partial<RecordingLimits>;
  /** Per-namespace overrides of `limits`, as the server config's namespaceLimits. */
  namespaceLimits?: Record<string, Partial<RecordingLimits>>;
  proxyTimeoutSeconds?: number;
  cachedPod?: (namespace: string, name: string) => V1Pod | undefined;
  /** `recording.allowSystemWide`. */
  allowSystemWide?: boolean;
  /** TokenReview cache settings (the server's `tokenReview.*`). */
  tokenReview?: Partial<TokenCacheSettings>;
}

/** The image the fixture's server was configured with; pods that register must run it. */
export const SIDECAR_IMAGE = 'registry.example/furnace@sha256:0123456789abcdef';

export async function buildFixture(t: TestContext, options: FixtureOptions = {}): Promise<Fixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'furnace-app-'));
  let time = Date.parse('2026-03-01T12:00:00Z');
  const now = (): number => time;
  let counter = 0;
  const registry = createRegistry({ now, leaseSeconds: 30, newToken: () => `proxy-token-${++counter}` });
  const catalog = await openCatalog({ dataDir, now, retention: DEFAULT_RETENTION });
  const metricsRegistry = createMetricsRegistry();
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const namespaceLimits = options.namespaceLimits ?? {};
  const kube = options.kube;
  const registrationKind = options.registration ?? (kube ? 'kubernetes' : 'local');
  const tokens = createTokenCache({ now, ...options.tokenReview });
  const app = buildServerApp({
    registry,
    catalog,
    access: createAccess({
      mode: options.authMode ?? 'none',
      userHeader: 'x-forwarded-user',
      groupsHeader: 'x-forwarded-groups',
      now,
      tokens,
      ...(kube ? { kube } : {}),
    }),
    registration:
      registrationKind === 'kubernetes' && kube
        ? {
            kind: 'kubernetes',
            kube,
            sidecarImages: [SIDECAR_IMAGE],
            tokens,
            ...(options.cachedPod ? { cachedPod: options.cachedPod } : {}),
          }
        : { kind: 'local', secret: SECRET, hostname: HOST },
    metricsRegistry,
    limitsFor: (namespace) => limitsFor({ limits, namespaceLimits }, namespace),
    now,
    proxyTimeoutSeconds: options.proxyTimeoutSeconds ?? 5,
    allowSystemWide: options.allowSystemWide ?? false,
    ...(kube ? { kube } : {}),
    sweepIntervalMs: 0,
    logger: { level: 'info', stream },
  });
  t.after(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    app,
    registry,
    catalog,
    metricsRegistry,
    logLines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    async registerLocal(port) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/sidecars',
        headers: { authorization: `Bearer ${SECRET}` },
        payload: { port },
      });
      if (response.statusCode !== 200) throw new Error(`registration failed: ${response.body}`);
      const { proxyToken, uploadToken } = response.json<{ proxyToken: string; uploadToken: string }>();
      return { proxyToken, uploadToken };
    },
    advance(seconds) {
      time += seconds * 1000;
    },
  };
}

export interface FakeSidecar {
  port: number;
  /** Headers of every request the fake received. */
  requests: { method: string; url: string; headers: Record<string, unknown>; body: unknown }[];
  connections: () => number;
  app: FastifyInstance;
}

export interface FakeSidecarOptions {
  /** Bytes of the /big stream. */
  big?: number;
  /** How long a start waits before it answers. */
  startDelayMs?: number;
  /** The status a start answers with (201 and a recording status by default; else an error body). */
  startStatus?: number;
}

/** A stand-in sidecar API on loopback: answers starts, reads, a large stream, and a slow route. */
export async function startFakeSidecar(
  t: TestContext,
  options: FakeSidecarOptions = {},
): Promise<FakeSidecar> {
  const big = options.big ?? 8 * 1024 * 1024;
  const app = Fastify();
  const requests: FakeSidecar['requests'] = [];
  let connections = 0;
  app.server.on('connection', (_socket: Socket) => {
    connections += 1;
  });
  app.addHook('preHandler', (request, _reply, done) => {
    requests.push({
      method: request.method,
      url: request.url,
      headers: { ...request.headers },
      body: request.body,
    });
    done();
  });
  let started = 0;
  app.post('/recordings', async (_request, reply) => {
    if (options.startDelayMs) await new Promise((resolve) => setTimeout(resolve, options.startDelayMs));
    const status = options.startStatus ?? 201;
    if (status !== 201) return reply.code(status).send({ code: 'ERR_RECORDING_RUNNING', message: 'busy' });
    return reply.code(201).send(recordingStatus(`rec-${++started}`));
  });
  app.get('/recordings', () => ({ items: [] }));
  app.get('/recordings/:id', (request) => recordingStatus((request.params as { id: string }).id));
  app.post('/recordings/:id/stop', (request) =>
    recordingStatus((request.params as { id: string }).id, { state: 'processing' }),
  );
  app.get('/big', (_request, reply) => {
    const chunk = Buffer.alloc(64 * 1024, 97);
    let sent = 0;
    const stream = new Readable({
      read() {
        if (sent >= big) {
          this.push(null);
          return;
        }
        sent += chunk.length;
        this.push(chunk);
      },
    });
    return reply.type('application/octet-stream').send(stream);
  });
  const openStreams: { end: (chunk: string) => void }[] = [];
  app.get('/events', (_request, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    reply.raw.write('data: {"progress":0.5}\n\n');
    openStreams.push(reply.raw);
    return reply;
  });
  app.post('/events/finish', () => {
    for (const stream of openStreams.splice(0)) stream.end('data: {"progress":1}\n\n');
    return { finished: true };
  });
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    return { late: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  return { port: portOf(app.server), requests, connections: () => connections, app };
}
