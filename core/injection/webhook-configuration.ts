// The MutatingWebhookConfiguration, generated from the same constants the decision uses, so the
// selector in the cluster and the handler cannot drift apart. deploy/, the operator and the tests call it.
import type { V1LabelSelector, V1MutatingWebhookConfiguration } from '@kubernetes/client-node';
import {
  API_GROUP,
  NAMESPACE_LABEL,
  NAMESPACE_LABEL_VALUE,
  OPT_IN_VALUES,
  POD_OPT_IN_KEY,
  WEBHOOK_PATH,
  WEBHOOK_PORT,
} from '../contract/names.ts';

export const WEBHOOK_NAME = `inject.${API_GROUP}`;
export const WEBHOOK_TIMEOUT_SECONDS = 5;
/** Namespaces never injected, besides Furnace's own: the control plane must never wait on us. */
export const EXCLUDED_NAMESPACES: readonly string[] = ['kube-system'];

export interface WebhookServiceRef {
  name: string;
  namespace: string;
  port?: number;
}

export interface WebhookConfigurationOptions {
  /** metadata.name of the configuration object */
  name: string;
  /** Either a URL (local runs and tests) or a Service in the cluster. */
  url?: string;
  service?: WebhookServiceRef;
  /** PEM of the CA that signs the webhook's serving certificate; empty when something else injects it. */
  caBundle: string;
  /** Furnace's own namespace, excluded from injection. */
  furnaceNamespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** `Ignore` unless asked: the webhook never blocks pod creation by default. */
  failurePolicy?: 'Ignore' | 'Fail';
  /**
   * Narrows the namespaces further: its requirements are added to the opt-in label and the exclusions,
   * never replace them (registration checks the opt-in label too).
   */
  namespaceSelector?: V1LabelSelector;
}

function celOptedIn(field: 'labels' | 'annotations'): string {
  const values = OPT_IN_VALUES.map((v) => `'${v}'`).join(', ');
  const map = `object.metadata.${field}`;
  return `(has(${map}) && '${POD_OPT_IN_KEY}' in ${map} && ${map}['${POD_OPT_IN_KEY}'].trim().lowerAscii() in [${values}])`;
}

/** The CEL match condition, equivalent to isOptInValue on the pod's label or annotation. */
export const OPT_IN_MATCH_CONDITION = {
  name: 'pod-opted-in',
  expression: `${celOptedIn('labels')} || ${celOptedIn('annotations')}`,
};

function clientConfig(options: WebhookConfigurationOptions): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (options.url !== undefined) {
    config.url = options.url;
  } else if (options.service !== undefined) {
    config.service = {
      name: options.service.name,
      namespace: options.service.namespace,
      path: WEBHOOK_PATH,
      port: options.service.port ?? WEBHOOK_PORT,
    };
  } else {
    throw new Error('buildMutatingWebhookConfiguration: give either url or service');
  }
  if (options.caBundle !== '') config.caBundle = Buffer.from(options.caBundle).toString('base64');
  return config;
}

function namespaceSelector(options: WebhookConfigurationOptions): V1LabelSelector {
  const selector: V1LabelSelector = {
    matchExpressions: [
      { key: NAMESPACE_LABEL, operator: 'In', values: [NAMESPACE_LABEL_VALUE] },
      {
        key: 'kubernetes.io/metadata.name',
        operator: 'NotIn',
        values: [options.furnaceNamespace, ...EXCLUDED_NAMESPACES],
      },
      ...(options.namespaceSelector?.matchExpressions ?? []),
    ],
  };
  const matchLabels = options.namespaceSelector?.matchLabels;
  if (matchLabels && Object.keys(matchLabels).length > 0) selector.matchLabels = { ...matchLabels };
  return selector;
}

export function buildMutatingWebhookConfiguration(
  options: WebhookConfigurationOptions,
): V1MutatingWebhookConfiguration {
  if (options.url !== undefined && options.service !== undefined) {
    throw new Error('buildMutatingWebhookConfiguration: give url or service, not both');
  }
  const metadata: V1MutatingWebhookConfiguration['metadata'] = { name: options.name };
  if (options.labels) metadata.labels = { ...options.labels };
  if (options.annotations) metadata.annotations = { ...options.annotations };
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata,
    webhooks: [
      {
        name: WEBHOOK_NAME,
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: options.failurePolicy ?? 'Ignore',
        timeoutSeconds: WEBHOOK_TIMEOUT_SECONDS,
        // Never: a second call can only find the pod injected (the service-account plugin's token mount into
        // our container used to trigger one for every pod).
        reinvocationPolicy: 'Never',
        matchPolicy: 'Equivalent',
        clientConfig: clientConfig(options),
        rules: [
          {
            apiGroups: [''],
            apiVersions: ['v1'],
            operations: ['CREATE'],
            resources: ['pods'],
            scope: 'Namespaced',
          },
        ],
        namespaceSelector: namespaceSelector(options),
        matchConditions: [OPT_IN_MATCH_CONDITION],
      },
    ],
  };
}
