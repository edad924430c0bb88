// The server's configuration, as the ConfigMap the server reads it from: `config.yaml` (keys of
// docs/server.md) and `injection.yaml` (keys of docs/webhook.md). The spec's limits map one to one onto
// `limits.*` and `namespaceLimits.<ns>.*`; nothing here invents a server key.
import { createHash } from 'node:crypto';
import { coordinationConfig } from './plan-replicas.ts';
import { sharedKeyConfig } from './plan-shared-key.ts';
import type { V1ConfigMap, V1ResourceRequirements } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { AGENT_PORT, SERVER_PORT } from '../../core/contract/names.ts';
import { quantityBytes } from '../../core/quantity.ts';
import { FURNACE_SPEC_DEFAULTS } from '../../core/crd/resources.ts';
import { recorderUrl } from './furnace-names.ts';
import type { FurnaceLimitValues, FurnaceSymbols } from '../../core/crd/resources.ts';
import { object, ownedMeta, type PlanContext } from './plan-input.ts';
import { serverSinks } from './plan-sinks.ts';
import { serverStorage } from './plan-storage.ts';

/** Where the Deployment mounts what the config names. */
export const SERVER_PATHS = {
  configDir: '/etc/furnace/config',
  configFile: '/etc/furnace/config/config.yaml',
  injectionFile: '/etc/furnace/config/injection.yaml',
  tlsDir: '/etc/furnace/tls',
  /** The request-header ConfigMap (aggregated API), when there is one. */
  requestHeaderDir: '/etc/furnace/request-header',
  requestHeaderCaFile: '/etc/furnace/request-header/ca.crt',
  dataDir: '/var/lib/furnace',
} as const;

const LIMIT_KEYS = [
  'maxDurationSeconds',
  'maxFrequency',
  'maxConcurrentPerNamespace',
  'maxConcurrentPerCluster',
  'maxArtifactBytes',
] as const satisfies readonly (keyof FurnaceLimitValues)[];

function limitsOf(limits: FurnaceLimitValues | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of LIMIT_KEYS) {
    const value = limits?.[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function serverConfig(context: PlanContext): Record<string, unknown> {
  const spec = context.furnace.spec ?? {};
  const mode = spec.auth?.mode ?? 'kubernetes';
  const config: Record<string, unknown> = {
    // Mode proxy: only an oauth-proxy in the same pod may reach the user listener (docs/security.md).
    ...(mode === 'proxy' ? { host: '127.0.0.1' } : {}),
    port: SERVER_PORT,
    auth: { mode },
    dataDir: SERVER_PATHS.dataDir,
    tls: { certFile: `${SERVER_PATHS.tlsDir}/tls.crt`, keyFile: `${SERVER_PATHS.tlsDir}/tls.key` },
    webhook: { configFile: SERVER_PATHS.injectionFile },
  };
  // The server checks its catalog ceiling against the volume it writes to (docs/server.md).
  const volumeBytes = quantityBytes(spec.catalog?.storageSize ?? FURNACE_SPEC_DEFAULTS.catalogStorageSize);
  if (volumeBytes !== undefined) config.retention = { volumeBytes };
  const limits = limitsOf(spec.limits);
  if (Object.keys(limits).length > 0) config.limits = limits;
  const perNamespace = Object.entries(spec.limits?.namespaces ?? {})
    .map(([namespace, value]) => [namespace, limitsOf(value)] as const)
    .filter(([, value]) => Object.keys(value).length > 0);
  if (perNamespace.length > 0) config.namespaceLimits = Object.fromEntries(perNamespace);
  // The injection image is accepted at registration anyway; the agent's image too when agents run.
  const images = [context.images.sidecar, ...(spec.agent?.enabled ? [context.images.agent] : [])];
  config.registration = { sidecarImages: [...new Set(images)] };
  Object.assign(config, sinksAndStorage(spec));
  const trustedProxies = trustedProxiesOf(context);
  if (trustedProxies.length > 0) config.ingress = { trustedProxies };
  return {
    ...config,
    ...agentAndAggregatedApi(context),
    ...coordinationConfig(context),
    ...sharedKeyConfig(context),
  };
}

/**
 * Whose X-Forwarded-For the server believes: the spec's list, else, with a Route, the cluster network the
 * router connects from. Without it every user behind the router is one client to the budget of failed
 * token reviews, and 30 junk tokens a minute would lock them all out (docs/security.md).
 */
export function trustedProxiesOf(context: PlanContext): string[] {
  const spec = context.furnace.spec ?? {};
  if (spec.trustedProxies !== undefined) return [...spec.trustedProxies];
  const routed = context.platform === 'openshift' && spec.route?.enabled !== false;
  return routed ? [...(context.clusterNetworks ?? [])] : [];
}

/** `sinks` and `storage`, when the spec has them. */
function sinksAndStorage(spec: NonNullable<PlanContext['furnace']['spec']>): Record<string, unknown> {
  const sections: Record<string, unknown> = {};
  const sinks = serverSinks(spec.sinks);
  if (sinks.length > 0) sections.sinks = sinks;
  const storage = serverStorage(spec.storage?.s3);
  if (storage) sections.storage = storage;
  return sections;
}

/**
 * The aggregated API is planned when the API server has the aggregation layer (a request-header CA),
 * the server's CA is known, and auth mode is `kubernetes`: in mode `proxy` the user listener answers on
 * loopback only, where the aggregator cannot reach it.
 */
export function servesAggregatedApi(context: PlanContext): boolean {
  const mode = context.furnace.spec?.auth?.mode ?? 'kubernetes';
  return (
    context.requestHeader !== undefined &&
    context.requestHeader.clientCaPem !== '' &&
    context.certificates.bundlePem !== '' &&
    mode === 'kubernetes'
  );
}

/** `agent.*` in agent mode; `requestHeader.*` when the aggregated API is served. */
function agentAndAggregatedApi(context: PlanContext): Record<string, unknown> {
  const sections: Record<string, unknown> = {};
  if (context.furnace.spec?.agent?.enabled)
    sections.agent = {
      enabled: true,
      namespace: context.names.namespace,
      serviceAccount: context.names.agent,
      port: AGENT_PORT,
    };
  if (servesAggregatedApi(context))
    sections.requestHeader = {
      clientCaFile: SERVER_PATHS.requestHeaderCaFile,
      allowedNames: context.requestHeader?.allowedNames ?? [],
    };
  return sections;
}

function amounts(values: V1ResourceRequirements['requests']): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const key of ['cpu', 'memory'] as const) {
    const value = values?.[key];
    if (value !== undefined) out[key] = String(value);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** spec.symbols as injection keys, each only when set (so pods admitted before keep their spec). */
function symbolsConfig(symbols: FurnaceSymbols | undefined): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const debuginfodUrls = symbols?.debuginfodUrls ?? [];
  if (debuginfodUrls.length > 0) config.debuginfodUrls = [...debuginfodUrls];
  // Only the names: the CAs themselves reach each namespace in its furnace-server-ca ConfigMap.
  const registryCas = symbols?.registryCas ?? [];
  if (registryCas.length > 0) config.registryCas = registryCas.map((ca) => ca.registry);
  return config;
}

export function injectionConfig(context: PlanContext): Record<string, unknown> {
  const config: Record<string, unknown> = {
    image: context.images.sidecar,
    serverUrl: recorderUrl(context.names),
    serverCa: context.certificates.bundlePem,
  };
  const resources = context.furnace.spec?.sidecar?.resources;
  const requests = amounts(resources?.requests);
  const limits = amounts(resources?.limits);
  if (requests || limits)
    config.resources = { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
  return { ...config, ...symbolsConfig(context.furnace.spec?.symbols) };
}

export function planConfigMap(context: PlanContext): V1ConfigMap {
  return object<V1ConfigMap>('v1', 'ConfigMap', {
    metadata: ownedMeta(context, context.names.config, 'server'),
    data: {
      'config.yaml': stringify(serverConfig(context)),
      'injection.yaml': stringify(injectionConfig(context)),
    },
  });
}

/**
 * Changes whenever the server must restart to see a change: its config (the CA bundle included) and
 * `extra` (the request-header CA it mounts).
 */
export function configHash(configMap: V1ConfigMap, extra = ''): string {
  return createHash('sha256')
    .update(JSON.stringify(configMap.data ?? {}))
    .update(extra)
    .digest('hex')
    .slice(0, 16);
}
