// Registers a Furnace server that runs on this machine as the aggregated API of the test API server.
// The aggregator reaches an APIService through its Service's EndpointSlice, and validation refuses a
// loopback address there, so the server listens on a private non-loopback address of this machine: a
// unique 10.x address added to `lo` for the test (as root; removed in teardown), or else the machine's
// own first non-loopback IPv4 address.
import { randomInt } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { TestContext } from 'node:test';
import {
  ApiregistrationV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  type KubeConfig,
  type V1APIService,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import {
  AGGREGATED_GROUP,
  apiServiceManifest,
  API_SERVICE_NAME,
} from '../../core/contract/aggregated-api.ts';
import { API_GROUP, TEST_RUN_LABEL } from '../../core/contract/names.ts';
import { RUN_ID } from './cluster.ts';
import { eventually } from './eventually.ts';
import { run } from './processes.ts';

function ownAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces()))
    for (const address of addresses ?? [])
      if (address.family === 'IPv4' && !address.internal) return address.address;
  return undefined;
}

/** A non-loopback address of this machine that a server may listen on and the API server reach. */
export async function reserveAggregatedAddress(t: TestContext): Promise<string> {
  if (process.getuid?.() === 0) {
    const address = `10.${randomInt(200, 250)}.${randomInt(0, 255)}.${randomInt(1, 254)}`;
    await run('ip', ['addr', 'add', `${address}/32`, 'dev', 'lo']);
    t.after(() => run('ip', ['addr', 'del', `${address}/32`, 'dev', 'lo']).then(() => undefined));
    return address;
  }
  const own = ownAddress();
  if (!own)
    throw new Error(
      'no address for the aggregated API: run as root (an address on lo) or with a network interface',
    );
  return own;
}

export interface AggregatedApiOptions {
  /** The namespace of the Service (it must exist). */
  namespace: string;
  address: string;
  port: number;
  /** PEM of the CA that signs the server's certificate (valid for `furnace.<namespace>.svc`). */
  caPem: string;
}

/** The Service name the APIService points at; the serving certificate names `furnace.<namespace>.svc`. */
export const AGGREGATED_SERVICE = 'furnace';

/** What `kubectl furnace` asks of the aggregated API: the get, list and create the CLI's verbs map to. */
export const AGGREGATED_RULE: V1PolicyRule = {
  apiGroups: [AGGREGATED_GROUP],
  resources: ['*'],
  verbs: ['get', 'list', 'create'],
};

/** A recorder's rights on Furnace's recordings (furnace-recorder's core). */
export const RECORDINGS_RULE: V1PolicyRule = {
  apiGroups: [API_GROUP],
  resources: ['recordings'],
  verbs: ['create', 'get', 'list'],
};

/**
 * A selector-less Service with an EndpointSlice at address:port, and the APIService (the same manifest
 * the operator applies) pointing at it; waits until the aggregator marks it Available. Removed after the test.
 */
export async function registerAggregatedApi(
  t: TestContext,
  kc: KubeConfig,
  options: AggregatedApiOptions,
): Promise<void> {
  const { namespace, address, port } = options;
  const labels = { [TEST_RUN_LABEL]: RUN_ID };
  await kc.makeApiClient(CoreV1Api).createNamespacedService({
    namespace,
    body: {
      metadata: { name: AGGREGATED_SERVICE, labels },
      spec: { ports: [{ name: 'https', port: 443, targetPort: port, protocol: 'TCP' }] },
    },
  });
  await kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
    namespace,
    body: {
      metadata: {
        name: `${AGGREGATED_SERVICE}-local`,
        labels: { ...labels, 'kubernetes.io/service-name': AGGREGATED_SERVICE },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: [address], conditions: { ready: true } }],
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    },
  });
  const registration = kc.makeApiClient(ApiregistrationV1Api);
  const body = apiServiceManifest({
    serviceNamespace: namespace,
    serviceName: AGGREGATED_SERVICE,
    caBundlePem: options.caPem,
  }) as V1APIService;
  body.metadata = { ...body.metadata, labels: { ...body.metadata?.labels, ...labels } };
  await registration.createAPIService({ body });
  t.after(() => registration.deleteAPIService({ name: API_SERVICE_NAME }).then(() => undefined));
  await eventually(
    async () => {
      const current = await registration.readAPIService({ name: API_SERVICE_NAME });
      const available = current.status?.conditions?.find((c) => c.type === 'Available');
      return available?.status === 'True' ? true : undefined;
    },
    60_000,
    `APIService ${API_SERVICE_NAME} to become Available`,
  );
}
