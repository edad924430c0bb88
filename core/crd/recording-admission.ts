// The ValidatingWebhookConfiguration that checks who creates a continuous Recording: the operator switches
// the selection on as itself, so the author's own `create` on recordings/continuous must be checked when
// the Recording is admitted. Generated from the same constants as the handler
// (server/webhook/validate-recording.ts), so the condition in the cluster and the handler cannot drift.
import type { V1LabelSelector, V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, WEBHOOK_PORT } from '../contract/names.ts';
import { RECORDING_PLURAL } from './resources.ts';
import type { WebhookServiceRef } from '../injection/webhook-configuration.ts';

/** The webhook listener's path of the check (beside the mutating `/mutate`). */
export const RECORDING_VALIDATE_PATH = '/validate-recording';
export const RECORDING_WEBHOOK_NAME = `continuous.${RECORDING_PLURAL}.${API_GROUP}`;
/** The subresource whose `create` switches continuous profiling on (as the REST route checks it). */
export const CONTINUOUS_SUBRESOURCE = 'continuous';
/** The ClusterRole that grants it, named in every refusal. */
export const CONTINUOUS_CLUSTER_ROLE = 'furnace-continuous';
export const RECORDING_WEBHOOK_TIMEOUT_SECONDS = 5;

/**
 * Only Recordings with spec.continuous reach the webhook: ordinary Recordings never depend on it, so its
 * `failurePolicy: Fail` refuses nothing but continuous Recordings while the server is away.
 */
export const CONTINUOUS_MATCH_CONDITION = {
  name: 'continuous-recording',
  expression: 'has(object.spec) && has(object.spec.continuous)',
};

export interface RecordingWebhookOptions {
  name: string;
  /** The webhook listener's URL (its path is replaced by RECORDING_VALIDATE_PATH), or its Service. */
  url?: string;
  service?: WebhookServiceRef;
  /** PEM of the CA of the serving certificate; empty when something else injects it. */
  caBundle: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Every namespace unless set (tests narrow it to their own). */
  namespaceSelector?: V1LabelSelector;
}

function clientConfig(options: RecordingWebhookOptions): Record<string, unknown> {
  if ((options.url === undefined) === (options.service === undefined))
    throw new Error('buildRecordingWebhookConfiguration: give either url or service');
  const config: Record<string, unknown> = options.url
    ? { url: new URL(RECORDING_VALIDATE_PATH, options.url).href }
    : {
        service: {
          name: options.service?.name,
          namespace: options.service?.namespace,
          path: RECORDING_VALIDATE_PATH,
          port: options.service?.port ?? WEBHOOK_PORT,
        },
      };
  if (options.caBundle !== '') config.caBundle = Buffer.from(options.caBundle).toString('base64');
  return config;
}

export function buildRecordingWebhookConfiguration(
  options: RecordingWebhookOptions,
): V1ValidatingWebhookConfiguration {
  const metadata: V1ValidatingWebhookConfiguration['metadata'] = { name: options.name };
  if (options.labels) metadata.labels = { ...options.labels };
  if (options.annotations) metadata.annotations = { ...options.annotations };
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata,
    webhooks: [
      {
        name: RECORDING_WEBHOOK_NAME,
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        // Fail: without the check, a continuous Recording would be switched on with the operator's rights.
        failurePolicy: 'Fail',
        timeoutSeconds: RECORDING_WEBHOOK_TIMEOUT_SECONDS,
        matchPolicy: 'Equivalent',
        clientConfig: clientConfig(options),
        // CREATE only: the spec is immutable (the CRD's `self == oldSelf`), so no update can add continuous.
        rules: [
          {
            apiGroups: [API_GROUP],
            apiVersions: [API_VERSION],
            operations: ['CREATE'],
            resources: [RECORDING_PLURAL],
            scope: 'Namespaced',
          },
        ],
        ...(options.namespaceSelector ? { namespaceSelector: options.namespaceSelector } : {}),
        matchConditions: [CONTINUOUS_MATCH_CONDITION],
      },
    ],
  };
}
