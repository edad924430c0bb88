// A real furnace webhook listener on loopback, registered with the test API server through the generated
// MutatingWebhookConfiguration (not a test file itself).
import { randomBytes } from 'node:crypto';
import { AdmissionregistrationV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1MutatingWebhookConfiguration, V1Pod } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { parseInjectionConfig } from '../../core/injection/injection-config.ts';
import type { InjectionConfig } from '../../core/injection/injection-config.ts';
import { buildMutatingWebhookConfiguration } from '../../core/injection/webhook-configuration.ts';
import { SIDECAR_CONTAINER_NAME } from '../../core/contract/names.ts';
import { buildWebhookApp } from '../../server/webhook/build-webhook-app.ts';
import type { WebhookApp } from '../../server/webhook/build-webhook-app.ts';
import type { TlsMaterial, TlsSource } from '../../server/webhook/tls.ts';
import { RUN_ID, applyWebhookConfiguration, createNamespace } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';
import { portOf } from '../harness/ports.ts';

/** Namespaces of one fixture carry this label, and only its webhook selects them (test files run in parallel). */
const SCOPE_LABEL = 'furnace-webhook-test';

export const TEST_SERVER_CA = '-----BEGIN CERTIFICATE-----\nMIIBkubeTestCa\n-----END CERTIFICATE-----\n';

export interface KubeWebhook {
  app: WebhookApp;
  port: number;
  url: string;
  registry: Registry;
  config: InjectionConfig;
  configurationName: string;
  /** A namespace only this webhook sees; `enabled` adds furnace=enabled. */
  namespace(enabled: boolean): Promise<string>;
  /** The registered configuration with another caBundle (PEM). */
  setCaBundle(caPem: string): Promise<void>;
  removeConfiguration(): Promise<void>;
  close(): Promise<void>;
}

export function testPod(
  name: string,
  extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: extra.labels, annotations: extra.annotations },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
  };
}

export function hasSidecar(pod: V1Pod): boolean {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  return all.some((c) => c.name === SIDECAR_CONTAINER_NAME);
}

function scopedConfiguration(
  name: string,
  url: string,
  caPem: string,
  scope: string,
): V1MutatingWebhookConfiguration {
  const configuration = buildMutatingWebhookConfiguration({
    name,
    url,
    caBundle: caPem,
    furnaceNamespace: 'furnace',
  });
  configuration.webhooks?.[0]?.namespaceSelector?.matchExpressions?.push({
    key: SCOPE_LABEL,
    operator: 'In',
    values: [scope],
  });
  return configuration;
}

export async function startKubeWebhook(
  kc: KubeConfig,
  options: { https: TlsMaterial | TlsSource; caPem: string; port?: number },
): Promise<KubeWebhook> {
  const registry = new Registry();
  const config = parseInjectionConfig({ serverCa: TEST_SERVER_CA, serverUrl: 'https://127.0.0.1:8080' });
  const app = buildWebhookApp({ config, https: options.https, metricsRegistry: registry });
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const port = portOf(app.server);
  const url = `https://127.0.0.1:${port}/mutate`;
  const scope = randomBytes(4).toString('hex');
  const configurationName = `furnace-${RUN_ID}-${scope}`;
  const remove = await applyWebhookConfiguration(
    kc,
    scopedConfiguration(configurationName, url, options.caPem, scope),
  );
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  let removed = false;
  return {
    app,
    port,
    url,
    registry,
    config,
    configurationName,
    namespace: (enabled) => createNamespace(kc, { enabled, labels: { [SCOPE_LABEL]: scope } }),
    async setCaBundle(caPem) {
      const current = await admission.readMutatingWebhookConfiguration({ name: configurationName });
      const clientConfig = current.webhooks?.[0]?.clientConfig;
      if (!clientConfig) throw new Error('the webhook configuration has no clientConfig');
      clientConfig.caBundle = Buffer.from(caPem).toString('base64');
      await admission.replaceMutatingWebhookConfiguration({ name: configurationName, body: current });
    },
    async removeConfiguration() {
      if (removed) return;
      removed = true;
      await remove();
    },
    close: () => app.close(),
  };
}

/** The API server loads webhook configurations asynchronously: probe with dry-run creates until injected. */
export async function waitUntilInjecting(
  kc: KubeConfig,
  namespace: string,
  what = 'the webhook to inject',
): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await eventually(
    async () => {
      const probe = testPod(`probe-${randomBytes(3).toString('hex')}`, { labels: { furnace: 'enabled' } });
      const created = await core.createNamespacedPod({ namespace, body: probe, dryRun: 'All' });
      return hasSidecar(created) ? true : undefined;
    },
    20_000,
    what,
  );
}
