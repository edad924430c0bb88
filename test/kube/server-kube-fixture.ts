// The server app against the harness's real API server: real TokenReview, SubjectAccessReview and
// Pods; pods are created with the client and given an IP through the status subresource (no kubelet).
import assert from 'node:assert/strict';
import { createPrivateKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CoreV1Api, type KubeConfig, type V1Container, type V1Pod } from '@kubernetes/client-node';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_LIMITS } from '../../core/contract/limits.ts';
import { TEST_RUN_LABEL } from '../../core/contract/names.ts';
import { DEFAULT_INJECTION_CONFIG, type InjectionConfig } from '../../core/injection/injection-config.ts';
import { injectSidecar } from '../../core/injection/inject-sidecar.ts';
import { findInjectedSidecar } from '../../core/injection/pod-shape.ts';
import { createAccess } from '../../server/auth/access.ts';
import { pino } from 'pino';
import { DEFAULT_MERGE_SETTINGS } from '../../server/catalog/merge-slots.ts';
import { continuousRoutes } from '../../server/continuous/continuous-listener-routes.ts';
import { buildServerApps } from '../../server/listeners/build-listeners.ts';
import { pressureLimitsOfProcess } from '../../server/operations/load-shedding.ts';
import { createRecordingsState } from '../../server/proxy/recordings-state.ts';
import { recordingRoutes } from '../../server/proxy/recording-routes.ts';
import { sidecarUpstreams } from '../../server/proxy/upstreams.ts';
import { registrationRoutes } from '../../server/registry/registration-routes.ts';
import type { RegistrationMode } from '../../server/registry/sidecar-registration.ts';
import { registerUi } from '../../server/ui/register-ui.ts';
import { openCatalog, type Catalog } from '../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../server/catalog/retention.ts';
import { readAgentSettings } from '../../server/config/config-agent.ts';
import { createConfigReader } from '../../server/config/config-reader.ts';
import { continuousModeOf } from '../../server/continuous/continuous-mode.ts';
import { createClientGateway } from '../../server/kube/client-gateway.ts';
import { reuseConnections } from '../../server/kube/keep-alive.ts';
import { createTokenCache, type TokenCache, type TokenCacheSettings } from '../../server/kube/token-cache.ts';
import { createMetricsRegistry } from '../../server/operations/metrics.ts';
import { createRegistry, type Registry } from '../../server/registry/lease-registry.ts';
import { randomSharedKeys } from '../../core/shared-key.ts';
import { createServingIdentity } from '../../sidecar/api/self-signed-certificate.ts';
import { createServiceAccountToken, RUN_ID } from '../harness/cluster.ts';
import { serveOverHttps } from '../harness/https-server.ts';
import type { SymbolFiles } from '../../server/symbols/symbol-files.ts';
import { symbolRoutes } from '../../server/symbols/symbol-routes.ts';
import { podWorkloads } from '../../server/catalog/workload-naming.ts';
import { fixtureSymbols } from '../harness/fixture-symbols.ts';

/** The sidecar image the fixture's server is configured with; createPod gives it to the furnace container. */
export const KUBE_SIDECAR_IMAGE =
  'registry.invalid/furnace@sha256:5ca1ab1e00000000000000000000000000000000000000000000000000000000';

/** The fixture server's injection config: what createPod's pods carry, as the webhook writes it. */
export const KUBE_INJECTION: InjectionConfig = { ...DEFAULT_INJECTION_CONFIG, image: KUBE_SIDECAR_IMAGE };

export interface KubeServer {
  /** The namespaces' uploaded symbol files (filesystem store under the data directory). */
  symbols: SymbolFiles;
  /** The user listener's app. */
  app: FastifyInstance;
  /** The recorder listener's app: registration and uploads. */
  recorder: FastifyInstance;
  registry: Registry;
  catalog: Catalog;
  /** The TokenReview cache shared by user auth and registration, as main.ts wires it. */
  tokens: TokenCache;
  /** The pin registerPodSidecar registers (the stand-in sidecar's, or one nobody serves). */
  sidecarPin: string;
}

/** A well-formed pin of no key: registrations need one in a cluster, and nothing answers with it. */
export const UNSERVED_PIN = 'A'.repeat(43);

export interface KubeServerOptions {
  /** Where the proxy reaches sidecars: a stand-in sidecar's HTTPS port and the pin of its key. */
  sidecarTls?: { port: number; pin: string };
  tokenReview?: Partial<TokenCacheSettings>;
  allowSystemWide?: boolean;
  /** Continuous profiling's routes, with the default agent settings and windows under the data dir. */
  continuous?: boolean;
}

/** Serves a stand-in sidecar over HTTPS with a key of its own: what buildKubeServer's `sidecarTls` takes. */
export async function serveStandInSidecar(
  t: TestContext,
  app: FastifyInstance,
): Promise<{ port: number; pin: string }> {
  const identity = await createServingIdentity();
  return { port: await serveOverHttps(t, app, identity), pin: identity.pin };
}

export async function buildKubeServer(
  t: TestContext,
  kc: KubeConfig,
  options: KubeServerOptions = {},
): Promise<KubeServer> {
  const { sidecarTls } = options;
  const dataDir = await mkdtemp(join(tmpdir(), 'furnace-kube-'));
  const now = (): number => Date.now();
  const kube = createClientGateway(reuseConnections(kc));
  const tokens = createTokenCache({ now, ...options.tokenReview });
  const registry = createRegistry({ now, leaseSeconds: 30, keys: randomSharedKeys() });
  const catalog = await openCatalog({ dataDir, now, retention: DEFAULT_RETENTION });
  const symbols = await fixtureSymbols(dataDir, now);
  const metricsRegistry = createMetricsRegistry();
  const agent = readAgentSettings(
    createConfigReader({ path: 'test', raw: { agent: { enabled: true } } }, {}),
    false,
  );
  const continuous = options.continuous
    ? await continuousModeOf({ agent, storage: {}, dataDir }, metricsRegistry)
    : undefined;
  const access = createAccess({
    mode: 'kubernetes',
    userHeader: 'x-forwarded-user',
    groupsHeader: 'x-forwarded-groups',
    now,
    kube,
    tokens,
  });
  const mode: RegistrationMode = {
    kind: 'kubernetes',
    kube,
    sidecarImages: [KUBE_SIDECAR_IMAGE],
    injection: KUBE_INJECTION,
    tokens,
    ...(sidecarTls ? { sidecarTlsPort: sidecarTls.port } : {}),
  };
  const log = pino({ level: 'silent' });
  const limitsFor = () => DEFAULT_LIMITS;
  const state = createRecordingsState({
    ...{ catalog, registry, metricsRegistry, now, log, proxyTimeoutSeconds: 5, sharedSlots: undefined },
    recordEvent: (event) => kube.recordEvent(event),
  });
  // The routes the server's modules add in a cluster without agents (server/modules/module-table.ts).
  const routes = [
    registrationRoutes({ registry, mode, now, limitsFor, write: undefined }),
    symbolRoutes({ files: symbols, registry, agentUploader: () => undefined, uploadTimeoutSeconds: 60 }),
    ...(continuous ? [continuousRoutes(continuous, undefined, now)] : []),
    recordingRoutes({
      ...{ state, catalog, registry, now, limitsFor, proxyTimeoutSeconds: 5, uploadTimeoutSeconds: 60 },
      ...{ allowSystemWide: options.allowSystemWide ?? false, sinks: [], merge: DEFAULT_MERGE_SETTINGS },
      ...{ upstreams: sidecarUpstreams(registry), agentUploader: () => undefined, agents: undefined },
      isLeader: () => true,
      workloads: podWorkloads,
    }),
    {
      user: (scope: FastifyInstance) =>
        registerUi(scope, { access, registry, registration: mode, limitsFor, local: false }),
    },
  ];
  const { user: app, recorder } = buildServerApps(
    {
      ...{
        access,
        catalog,
        metricsRegistry,
        log,
        localKey: undefined,
        isReady: () => true,
        https: undefined,
      },
      ...{
        uploadTimeoutSeconds: 60,
        trust: {},
        trustedProxies: [],
        pressureLimits: pressureLimitsOfProcess(),
      },
    },
    routes,
  );
  t.after(async () => {
    await app.close();
    await recorder.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const sidecarPin = sidecarTls?.pin ?? UNSERVED_PIN;
  return { app, recorder, registry, catalog, tokens, sidecarPin, symbols };
}

export interface PodOptions {
  /** A `furnace` container (default), as the webhook injects it. */
  sidecar?: boolean;
  podIp?: string;
  /** Left as created: Pending, without an IP (no kubelet runs pods here); setPodRunning gives it one later. */
  pending?: boolean;
  /** The furnace container's image (default KUBE_SIDECAR_IMAGE). */
  sidecarImage?: string;
  /** The webhook's marker annotation (default true). */
  marker?: boolean;
  hostNetwork?: boolean;
  /** A command for the furnace container (the webhook sets none). */
  sidecarCommand?: string[];
  /** Edits the injected furnace container, as a pod's author writing their own would. */
  editSidecar?: (container: V1Container) => void;
  /** A pod that runs to completion: the sidecar goes in as a native sidecar. */
  restartPolicy?: 'Never';
  serviceAccountName?: string;
}

/** The pod as the webhook would leave it (unless told otherwise): the injection's own builders. */
function podBody(name: string, options: PodOptions): V1Pod {
  const pod: V1Pod = {
    metadata: { name, labels: { [TEST_RUN_LABEL]: RUN_ID } },
    spec: {
      containers: [{ name: 'app', image: 'registry.invalid/app:1' }],
      ...(options.hostNetwork ? { hostNetwork: true } : {}),
      ...(options.serviceAccountName ? { serviceAccountName: options.serviceAccountName } : {}),
      ...(options.restartPolicy ? { restartPolicy: options.restartPolicy } : {}),
    },
  };
  if (options.sidecar === false) return pod;
  const injected = injectSidecar(pod, KUBE_INJECTION);
  if (options.marker === false) injected.metadata = { ...injected.metadata, annotations: {} };
  const sidecar = findInjectedSidecar(injected)!;
  if (options.sidecarImage) sidecar.image = options.sidecarImage;
  if (options.sidecarCommand) sidecar.command = options.sidecarCommand;
  options.editSidecar?.(sidecar);
  return injected;
}

/** Creates a pod as the webhook injects it (unless told otherwise) and sets its IP. */
export async function createPod(
  kc: KubeConfig,
  namespace: string,
  name: string,
  options: PodOptions = {},
): Promise<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  const created = await core.createNamespacedPod({ namespace, body: podBody(name, options) });
  return options.pending ? created : setPodRunning(kc, created, options.podIp);
}

/** What a kubelet reports once the pod runs: its IP and the phase Running. */
export async function setPodRunning(kc: KubeConfig, created: V1Pod, podIp?: string): Promise<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  const { namespace = '', name = '' } = created.metadata ?? {};
  created.status = {
    ...created.status,
    podIP: podIp ?? '10.20.30.40',
    podIPs: [{ ip: podIp ?? '10.20.30.40' }],
    phase: 'Running',
  };
  return core.replaceNamespacedPodStatus({ namespace, name, body: created });
}

export async function deletePod(kc: KubeConfig, namespace: string, name: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
}

function decodePart(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

function sign(header: object, claims: object, key: KeyObject): string {
  const body = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signer = createSign('RSA-SHA256');
  signer.update(body);
  return `${body}.${signer.sign(key).toString('base64url')}`;
}

/** The token with some claims changed, signed with the cluster's real service-account signing key. */
export async function resignToken(
  controlPlaneDir: string,
  token: string,
  changes: Record<string, unknown>,
): Promise<string> {
  const [header, claims] = token.split('.');
  const key = createPrivateKey(await readFile(join(controlPlaneDir, 'pki', 'sa.key'), 'utf8'));
  return sign(decodePart(header), { ...decodePart(claims), ...changes }, key);
}

/** The same token with its times moved an hour into the past. */
export function expireToken(controlPlaneDir: string, token: string): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  return resignToken(controlPlaneDir, token, {
    iat: nowSeconds - 7200,
    nbf: nowSeconds - 7200,
    exp: nowSeconds - 3600,
  });
}

/** The same claims signed with a key the cluster has never seen. */
export function forgeToken(token: string): string {
  const [header, claims] = token.split('.');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return sign(decodePart(header), decodePart(claims), privateKey);
}

/**
 * A pod that a sidecar registers for: created at 127.0.0.1, registered on the recorder listener with a
 * real token bound to it (as the injected sidecar presents it); fails the test unless registration works.
 */
export async function registerPodSidecar(
  server: KubeServer,
  kc: KubeConfig,
  namespace: string,
  name = 'web',
): Promise<{ pod: V1Pod; proxyToken: string; uploadToken: string }> {
  const pod = await createPod(kc, namespace, name, { podIp: '127.0.0.1' });
  const token = await createServiceAccountToken(kc, {
    namespace,
    serviceAccount: 'default',
    audiences: ['furnace'],
    boundPod: { name, uid: pod.metadata?.uid ?? '' },
  });
  const registered = await server.recorder.inject({
    method: 'POST',
    url: '/api/v1/sidecars',
    headers: { authorization: `Bearer ${token}` },
    payload: { tlsPort: 1, tlsPin: server.sidecarPin },
  });
  assert.equal(registered.statusCode, 200, registered.body);
  return { pod, ...registered.json<{ proxyToken: string; uploadToken: string }>() };
}
