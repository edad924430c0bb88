// Builds the server's two apps for app tests (`app` is the user listener's, `recorder` the recorder
// listener's), and (from fake-sidecar.ts) fake sidecars: real Fastify servers on loopback port 0.
import type { SharedSlots } from '../../../server/slots/shared-slots.ts';
import { DEFAULT_INJECTION_CONFIG, type InjectionConfig } from '../../../core/injection/injection-config.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_LIMITS, type RecordingLimits } from '../../../core/contract/limits.ts';
import { createAccess, type Access, type AuthMode } from '../../../server/auth/access.ts';
import type { SessionStore } from '../../../server/auth/session-store.ts';
import { limitsFor } from '../../../server/config/config.ts';
import type { TrustedProxy } from '../../../server/auth/trusted-proxy.ts';
import type { FrontProxy } from '../../../server/auth/front-proxy.ts';
import { buildServerApps, type ListenerSettings } from '../../../server/listeners/build-listeners.ts';
import type { ListenerRoutes } from '../../../server/listeners/listener-routes.ts';
import { agentRoutes } from '../../../server/agent/agent-routes.ts';
import { continuousRoutes } from '../../../server/continuous/continuous-listener-routes.ts';
import { createRecordingsState } from '../../../server/proxy/recordings-state.ts';
import { recordingRoutes } from '../../../server/proxy/recording-routes.ts';
import { sidecarThenAgentUpstreams, sidecarUpstreams } from '../../../server/proxy/upstreams.ts';
import { registrationRoutes } from '../../../server/registry/registration-routes.ts';
import { registerUi } from '../../../server/ui/register-ui.ts';
import { pressureLimitsOfProcess } from '../../../server/operations/load-shedding.ts';
import { DEFAULT_MERGE_SETTINGS, type MergeSettings } from '../../../server/catalog/merge-slots.ts';
import { pino, type Logger } from 'pino';
import { openCatalog, type Catalog } from '../../../server/catalog/catalog-store.ts';
import type { ArtifactStore } from '../../../server/storage/artifact-store.ts';
import { filesystemStore, type StoreUnderTest } from '../../harness/catalog-stores.ts';
import { DEFAULT_RETENTION, type RetentionPolicy } from '../../../server/catalog/retention.ts';
import type { KubeGateway } from '../../../server/kube/kube-gateway.ts';
import {
  createTokenCache,
  type TokenCache,
  type TokenCacheSettings,
} from '../../../server/kube/token-cache.ts';
import type { RegistrationMode } from '../../../server/registry/sidecar-registration.ts';
import { createMetricsRegistry } from '../../../server/operations/metrics.ts';
import type { PressureLimits } from '../../../server/operations/load-shedding.ts';
import { createContinuousMode } from '../../../server/continuous/continuous-mode.ts';
import { createAgentMode, type AgentMode } from '../../../server/agent/agent-mode.ts';
import type { AgentSettings } from '../../../server/config/config-agent.ts';
import { createRegistry, type Registry } from '../../../server/registry/lease-registry.ts';
import { randomSharedKeys, type SharedKeys } from '../../../core/shared-key.ts';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { V1Pod } from '@kubernetes/client-node';
import type { SymbolSettings } from '../../../server/config/config-symbols.ts';
import type { SymbolFiles } from '../../../server/symbols/symbol-files.ts';
import { symbolRoutes } from '../../../server/symbols/symbol-routes.ts';
import { localPrograms, podWorkloads } from '../../../server/catalog/workload-naming.ts';
import { fixtureSymbols } from '../../harness/fixture-symbols.ts';
import { registerSidecar } from './fixture-sidecars.ts';
import { startFakeSidecar } from './fake-sidecar.ts';

export { registerSidecar } from './fixture-sidecars.ts';
export { startFakeSidecar, type FakeSidecar, type FakeSidecarOptions } from './fake-sidecar.ts';
import { bearer, postRegistration } from '../../harness/server-calls.ts';

export const SECRET = 'local-secret';
/** A registration body for cluster mode, which needs a TLS pin: a well-formed pin of no key. */
export const PINNED_BODY = { tlsPort: 12381, tlsPin: 'A'.repeat(43) };
export const HOST = 'test-host';

export interface Fixture {
  /** The user listener: UI, sidecar list, proxy, catalog reads, probes, metrics. */
  app: FastifyInstance;
  /** The recorder listener: registration and uploads. */
  recorder: FastifyInstance;
  registry: Registry;
  catalog: Catalog;
  /** The catalog's data directory (a test may open it again, as a restarted server would). */
  dataDir: string;
  /** The catalog's artifact store (a test opening the catalog again passes it). */
  artifacts: ArtifactStore;
  metricsRegistry: MetricsRegistry;
  logLines: () => Record<string, unknown>[];
  /** Registers the local sidecar at 127.0.0.1:port and returns its tokens. */
  registerLocal: (port: number) => Promise<{ proxyToken: string; uploadToken: string }>;
  advance: (seconds: number) => void;
  /** Agent mode's parts, when the options turned it on. */
  agentMode?: AgentMode;
  /** The namespaces' uploaded symbol files (filesystem store under dataDir). */
  symbols: SymbolFiles;
}

export interface FixtureOptions {
  /** The artifact store the catalog runs on: the `filesystem` store unless a suite asks for another. */
  store?: StoreUnderTest;
  authMode?: AuthMode;
  /** Browser sessions somewhere else than this fixture's memory (shared by replicas). */
  sessions?: SessionStore;
  kube?: KubeGateway;
  registration?: 'local' | 'kubernetes';
  /**
   * What baselines and regressions belong to: pods' workloads (a cluster's, the default) or local mode's
   * programs; `local` is also what the session's answer tells the UI (local mode).
   */
  workloads?: 'pods' | 'local';
  limits?: Partial<RecordingLimits>;
  /** Per-namespace overrides of `limits`, as the server config's namespaceLimits. */
  namespaceLimits?: Record<string, Partial<RecordingLimits>>;
  proxyTimeoutSeconds?: number;
  /** `auth.sessionSeconds` (8 hours unless a test asks). */
  sessionSeconds?: number;
  /** `merge.*` (the server's defaults unless a test asks). */
  merge?: MergeSettings;
  /** `recorder.uploadTimeoutSeconds` (60 unless a test asks). */
  uploadTimeoutSeconds?: number;
  /** Overrides of the catalog's DEFAULT_RETENTION. */
  retention?: Partial<RetentionPolicy>;
  cachedPod?: (namespace: string, name: string) => V1Pod | undefined;
  /** Cluster mode: the sidecars' HTTPS port (a stand-in's), instead of 12381. */
  sidecarTlsPort?: number;
  /** The built web UI to serve (default ui/dist). */
  uiDir?: string;
  /** Serving certificate of both listeners, for tests that listen over TLS. */
  https?: { cert: string; key: string };
  trustedProxy?: TrustedProxy;
  /** `ingress.trustedProxies`: whose X-Forwarded-For the user listener believes. */
  trustedProxies?: string[];
  /** The aggregated API's request-header CA and allowed names. */
  frontProxy?: FrontProxy;
  /** `recording.allowSystemWide`. */
  allowSystemWide?: boolean;
  /** TokenReview cache settings (the server's `tokenReview.*`). */
  tokenReview?: Partial<TokenCacheSettings>;
  /** Agent mode (`agent.*`; needs kube), with the pod watch's pods for the sidecar list. */
  agent?: { settings: AgentSettings; cachedPods?: () => readonly V1Pod[] };
  /** Several replicas: start slots on the API server, made with the fixture's clock. */
  sharedSlots?: (now: () => number) => SharedSlots;
  /** Where both listeners start refusing requests (the test process's own limits unless a test asks). */
  pressureLimits?: PressureLimits;
  /** Several replicas: registration hands out review tickets signed with these keys (also the fixture's). */
  reviewTickets?: SharedKeys;
  /** `symbols.*` (the server's defaults unless a test asks). */
  symbols?: Partial<SymbolSettings>;
  /**
   * A restarted server: an earlier fixture's data directory, and the catalog that the server's own catalog
   * module opened on it (restarted-catalog.ts), instead of a new directory and catalog.
   */
  restarted?: { dataDir: string; catalog: Catalog };
}

/** The image the fixture's server was configured with; pods that register must run it. */
export const SIDECAR_IMAGE = 'registry.example/furnace@sha256:0123456789abcdef';
/** What the fixture's webhook would inject: a registering pod's furnace container must be exactly that. */
export const SIDECAR_INJECTION: InjectionConfig = { ...DEFAULT_INJECTION_CONFIG, image: SIDECAR_IMAGE };

/** What the fixture passes on only when a test asks for it: TLS, the oauth-proxy's CA, the front proxy. */
function listenerOptions(
  options: FixtureOptions,
): Pick<ListenerSettings, 'https' | 'trust' | 'trustedProxies' | 'pressureLimits'> {
  return {
    https: options.https,
    trust: {
      ...(options.trustedProxy ? { trustedProxy: options.trustedProxy } : {}),
      ...(options.frontProxy ? { frontProxy: options.frontProxy } : {}),
    },
    trustedProxies: options.trustedProxies ?? [],
    pressureLimits: options.pressureLimits ?? pressureLimitsOfProcess(),
  };
}

function sessionsOf(options: FixtureOptions): { sessionSeconds?: number } {
  return options.sessionSeconds ? { sessionSeconds: options.sessionSeconds } : {};
}

function timeoutsOf(options: FixtureOptions) {
  return {
    proxyTimeoutSeconds: options.proxyTimeoutSeconds ?? 5,
    uploadTimeoutSeconds: options.uploadTimeoutSeconds ?? 60,
  };
}

function agentModeOf(
  options: FixtureOptions,
  now: () => number,
  tokens: ReturnType<typeof createTokenCache>,
  keys: SharedKeys,
): AgentMode | undefined {
  if (!options.agent || !options.kube) return undefined;
  return createAgentMode({
    settings: options.agent.settings,
    kube: options.kube,
    now,
    keys,
    leaseSeconds: 30,
    tokens,
    ...(options.agent.cachedPods ? { cachedPods: options.agent.cachedPods } : {}),
  });
}

/** Cluster registration (TokenReview, the fixture's sidecar image and injection) when there is a kube gateway. */
function registrationOf(options: FixtureOptions, tokens: TokenCache): RegistrationMode {
  const kube = options.kube;
  if ((options.registration ?? (kube ? 'kubernetes' : 'local')) === 'local' || !kube)
    return { kind: 'local', secret: SECRET, hostname: HOST };
  return {
    kind: 'kubernetes',
    kube,
    sidecarImages: [SIDECAR_IMAGE],
    injection: SIDECAR_INJECTION,
    tokens,
    ...(options.cachedPod ? { cachedPod: options.cachedPod } : {}),
    ...(options.sidecarTlsPort ? { sidecarTlsPort: options.sidecarTlsPort } : {}),
    ...(options.reviewTickets ? { reviewTickets: options.reviewTickets } : {}),
  };
}

interface FixtureParts {
  registry: Registry;
  catalog: Catalog;
  access: Access;
  metricsRegistry: MetricsRegistry;
  now: () => number;
  log: Logger;
  agentMode: AgentMode | undefined;
  dataDir: string;
  symbols: SymbolFiles;
}

/** The routes the server's modules would add, with the fixture's parts (the fixture's own module table). */
function fixtureRoutes(
  options: FixtureOptions,
  parts: FixtureParts,
  mode: RegistrationMode,
  limitsOf: (namespace: string) => Readonly<RecordingLimits>,
): ListenerRoutes[] {
  const { registry, catalog, now, agentMode } = parts;
  const { proxyTimeoutSeconds, uploadTimeoutSeconds } = timeoutsOf(options);
  const agentUploader = agentMode ? agentMode.uploaderOf : () => undefined;
  const state = createRecordingsState({
    ...{
      catalog,
      registry,
      metricsRegistry: parts.metricsRegistry,
      now,
      log: parts.log,
      proxyTimeoutSeconds,
    },
    sharedSlots: options.sharedSlots?.(now),
    recordEvent: options.kube ? (event) => options.kube!.recordEvent(event) : () => Promise.resolve(),
  });
  const continuous =
    agentMode && options.agent
      ? createContinuousMode({
          settings: options.agent.settings.continuous,
          metricsRegistry: parts.metricsRegistry,
          dataDir: parts.dataDir,
        })
      : undefined;
  const ui = {
    ...{ access: parts.access, registry, registration: mode, limitsFor: limitsOf },
    local: options.workloads === 'local',
  };
  return [
    registrationRoutes({ registry, mode, now, limitsFor: limitsOf, write: undefined }),
    ...(agentMode ? [agentRoutes({ agentMode, now, write: undefined })] : []),
    ...(continuous ? [continuousRoutes(continuous, agentMode, now)] : []),
    recordingRoutes({
      ...{ state, catalog, registry, now, limitsFor: limitsOf, proxyTimeoutSeconds, uploadTimeoutSeconds },
      ...{
        allowSystemWide: options.allowSystemWide ?? false,
        sinks: [],
        merge: options.merge ?? DEFAULT_MERGE_SETTINGS,
      },
      upstreams: agentMode ? sidecarThenAgentUpstreams(registry, agentMode) : sidecarUpstreams(registry),
      agentUploader,
      agents: agentMode?.routing,
      isLeader: () => true,
      workloads: options.workloads === 'local' ? localPrograms : podWorkloads,
    }),
    symbolRoutes({ files: parts.symbols, registry, agentUploader, uploadTimeoutSeconds }),
    {
      user: (scope) =>
        registerUi(scope, {
          ...ui,
          ...(options.uiDir ? { uiDir: options.uiDir } : {}),
          ...(agentMode ? { agents: agentMode.routing } : {}),
        }),
    },
  ];
}

export async function buildFixture(t: TestContext, options: FixtureOptions = {}): Promise<Fixture> {
  const dataDir = options.restarted?.dataDir ?? (await mkdtemp(join(tmpdir(), 'furnace-app-')));
  let time = Date.parse('2026-03-01T12:00:00Z');
  const now = (): number => time;
  const keys = options.reviewTickets ?? randomSharedKeys();
  const registry = createRegistry({ now, leaseSeconds: 30, keys });
  const artifacts = await (options.store ?? filesystemStore).open(t, dataDir);
  const catalog =
    options.restarted?.catalog ??
    (await openCatalog({
      dataDir,
      now,
      retention: { ...DEFAULT_RETENTION, ...options.retention },
      artifacts,
    }));
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
  const tokens = createTokenCache({ now, ...options.tokenReview });
  const agentMode = agentModeOf(options, now, tokens, keys);
  const access = createAccess({
    mode: options.authMode ?? 'none',
    ...(options.sessions ? { sessions: options.sessions } : {}),
    userHeader: 'x-forwarded-user',
    groupsHeader: 'x-forwarded-groups',
    now,
    tokens,
    ...sessionsOf(options),
    ...(kube ? { kube } : {}),
  });
  const log = pino({ level: 'info' }, stream);
  const symbols = await fixtureSymbols(dataDir, now, options.symbols);
  const parts = { registry, catalog, access, metricsRegistry, now, log, agentMode, dataDir, symbols };
  const { user: app, recorder } = buildServerApps(
    {
      ...{ access, catalog, metricsRegistry, log, localKey: undefined, isReady: () => true },
      uploadTimeoutSeconds: timeoutsOf(options).uploadTimeoutSeconds,
      ...listenerOptions(options),
    },
    fixtureRoutes(options, parts, registrationOf(options, tokens), (namespace) =>
      limitsFor({ limits, namespaceLimits }, namespace),
    ),
  );
  t.after(async () => {
    await app.close();
    await recorder.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    app,
    recorder,
    registry,
    catalog,
    dataDir,
    artifacts,
    metricsRegistry,
    logLines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    async registerLocal(port) {
      const response = await postRegistration(recorder, bearer(SECRET), { port });
      if (response.statusCode !== 200) throw new Error(`registration failed: ${response.body}`);
      const { proxyToken, uploadToken } = response.json<{ proxyToken: string; uploadToken: string }>();
      return { proxyToken, uploadToken };
    },
    advance(seconds) {
      time += seconds * 1000;
    },
    ...(agentMode ? { agentMode } : {}),
    symbols,
  };
}

/**
 * A kubernetes-mode server (registration local) with one fake sidecar registered as team-a/web-1, and
 * `start`, which starts a recording of it through the proxy as the bearer of token.
 */
export async function buildProxyFixture(t: TestContext, kube: KubeGateway, options: FixtureOptions = {}) {
  const f = await buildFixture(t, { authMode: 'kubernetes', kube, registration: 'local', ...options });
  const sidecar = await startFakeSidecar(t);
  registerSidecar(f, 'team-a', 'web-1', sidecar.port);
  const start = (token: string, payload: object) =>
    f.app.inject({
      method: 'POST',
      url: '/proxy/team-a/web-1/recordings',
      headers: { authorization: `Bearer ${token}` },
      payload,
    });
  return { f, sidecar, start };
}
