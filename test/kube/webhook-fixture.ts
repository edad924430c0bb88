// A real furnace webhook listener on loopback, registered with the test API server through the generated
// MutatingWebhookConfiguration (not a test file itself).
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { AdmissionregistrationV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { parseInjectionConfig } from '../../core/injection/injection-config.ts';
import type { InjectionConfig } from '../../core/injection/injection-config.ts';
import { buildWebhookApp } from '../../server/webhook/build-webhook-app.ts';
import type { WebhookApp } from '../../server/webhook/build-webhook-app.ts';
import { generateDevCertificates, type TlsMaterial, type TlsSource } from '../../server/webhook/tls.ts';
import { RUN_ID, applyWebhookConfiguration, createNamespace, deleteRunObjects } from '../harness/cluster.ts';
import { portOf } from '../harness/ports.ts';
import { scopedWebhookConfiguration, waitUntilInjecting } from '../harness/scoped-webhook.ts';

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
    scopedWebhookConfiguration({
      name: configurationName,
      url,
      caPem: options.caPem,
      scopeLabel: SCOPE_LABEL,
      scope,
    }),
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

/** How many admissions of this webhook ended in `decision`, for `reason` or for any reason. */
export async function decisionsOf(webhook: KubeWebhook, decision: string, reason?: string): Promise<number> {
  const metric = await webhook.registry.getSingleMetric('furnace_webhook_decisions_total')?.get();
  const counted = metric?.values.filter(
    (v) => v.labels.decision === decision && (reason === undefined || v.labels.reason === reason),
  );
  return (counted ?? []).reduce((sum, v) => sum + v.value, 0);
}

/**
 * The webhook of a whole test file, called at its top level: fresh certificates, and one enabled namespace
 * it already injects. After the file's tests its configuration is removed, then it is closed, then the
 * run's objects are deleted (in that order: pods must not wait on a webhook that is gone).
 */
export async function useKubeWebhook(kc: KubeConfig): Promise<{ webhook: KubeWebhook; enabled: string }> {
  const certs = await generateDevCertificates();
  const webhook = await startKubeWebhook(kc, {
    https: { key: certs.keyPem, cert: certs.certPem },
    caPem: certs.caPem,
  });
  after(async () => {
    await webhook.removeConfiguration();
    await webhook.close();
    await deleteRunObjects(kc);
  });
  const enabled = await webhook.namespace(true);
  await waitUntilInjecting(kc, enabled);
  return { webhook, enabled };
}
