// A Furnace webhook registered with the test API server through the generated MutatingWebhookConfiguration,
// narrowed to the namespaces of one test (test files share the cluster), and the probe that waits until
// the API server calls it.
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import {
  CoreV1Api,
  type KubeConfig,
  type V1MutatingWebhookConfiguration,
  type V1Pod,
} from '@kubernetes/client-node';
import { SIDECAR_CONTAINER_NAME } from '../../core/contract/names.ts';
import { buildMutatingWebhookConfiguration } from '../../core/injection/webhook-configuration.ts';
import { applyWebhookConfiguration, createNamespace } from './cluster.ts';
import { eventually } from './eventually.ts';

export interface WebhookScope {
  /** metadata.name of the configuration. */
  name: string;
  /** The webhook's URL and the CA (PEM) that signs its serving certificate. */
  url: string;
  caPem: string;
  /** Only namespaces labelled scopeLabel=scope are sent to the webhook. */
  scopeLabel: string;
  scope: string;
}

export function scopedWebhookConfiguration(options: WebhookScope): V1MutatingWebhookConfiguration {
  return buildMutatingWebhookConfiguration({
    name: options.name,
    url: options.url,
    caBundle: options.caPem,
    furnaceNamespace: 'furnace',
    namespaceSelector: {
      matchExpressions: [{ key: options.scopeLabel, operator: 'In', values: [options.scope] }],
    },
  });
}

export interface ScopedWebhook {
  scope: string;
  /** A new opted-in namespace in the scope, with more labels if given. */
  namespace(labels?: Record<string, string>): Promise<string>;
}

/**
 * Registers the webhook of a server (its URL and CA) for the namespaces labelled scopeLabel, with a new
 * random value unless scope is given, until the test ends.
 */
export async function registerScopedWebhook(
  t: TestContext,
  kc: KubeConfig,
  server: { webhookUrl: string; certs: { caPem: string } },
  scopeLabel: string,
  scope = randomBytes(4).toString('hex'),
): Promise<ScopedWebhook> {
  const name = `${scopeLabel}-${randomBytes(4).toString('hex')}`;
  const configuration = scopedWebhookConfiguration({
    name,
    url: server.webhookUrl,
    caPem: server.certs.caPem,
    scopeLabel,
    scope,
  });
  t.after(await applyWebhookConfiguration(kc, configuration));
  return {
    scope,
    namespace: (labels = {}) =>
      createNamespace(kc, { enabled: true, labels: { [scopeLabel]: scope, ...labels } }),
  };
}

/** A pod of one container `app`, with these labels and annotations. */
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
