// The MutatingWebhookConfiguration, from the same function that writes deploy/webhook's manifest
// (core/injection/webhook-configuration.ts), so selector, match condition and handler cannot drift; the
// admission policy of continuous Recordings (core/crd/recording-admission.ts, deploy/webhook's manifest too);
// and the server's CA in every opted-in namespace, for the sidecars (the ConfigMap core/contract/names.ts names).
import type {
  V1ConfigMap,
  V1MutatingWebhookConfiguration,
  V1ValidatingAdmissionPolicy,
  V1ValidatingAdmissionPolicyBinding,
} from '@kubernetes/client-node';
import {
  buildRecordingAdmissionBinding,
  buildRecordingAdmissionPolicy,
} from '../../core/crd/recording-admission.ts';
import { buildMutatingWebhookConfiguration } from '../../core/injection/webhook-configuration.ts';
import { SERVER_CA_CONFIG_MAP, SERVER_CA_KEY, WEBHOOK_PORT } from '../../core/contract/names.ts';
import { registryCaKey } from '../../core/injection/symbols-config.ts';
import { labelledMeta, labelsOf, object, type PlanContext } from './plan-input.ts';
import { INJECT_CABUNDLE_ANNOTATION } from './plan-server.ts';

export function planWebhookConfiguration(context: PlanContext): V1MutatingWebhookConfiguration {
  const { names } = context;
  const webhook = context.furnace.spec?.webhook ?? {};
  const openshift = context.platform === 'openshift';
  return buildMutatingWebhookConfiguration({
    name: names.webhookConfiguration,
    ...(context.webhookUrl
      ? { url: context.webhookUrl }
      : { service: { name: names.server, namespace: names.namespace, port: WEBHOOK_PORT } }),
    // On OpenShift the service CA operator writes caBundle (the annotation asks it to).
    caBundle: openshift ? '' : context.certificates.bundlePem,
    furnaceNamespace: names.namespace,
    labels: labelsOf(context, 'webhook'),
    ...(openshift ? { annotations: { [INJECT_CABUNDLE_ANNOTATION]: 'true' } } : {}),
    ...(webhook.failurePolicy ? { failurePolicy: webhook.failurePolicy } : {}),
    ...(webhook.namespaceSelector ? { namespaceSelector: webhook.namespaceSelector } : {}),
  });
}

/**
 * The check of who creates a continuous Recording, policy then binding: the API server evaluates it itself,
 * in every namespace (Recordings are not opted in); nothing of it goes to the server.
 */
export function planRecordingPolicy(
  context: PlanContext,
): [V1ValidatingAdmissionPolicy, V1ValidatingAdmissionPolicyBinding] {
  const options = { name: context.names.recordingPolicy, labels: labelsOf(context, 'admission') };
  return [buildRecordingAdmissionPolicy(options), buildRecordingAdmissionBinding(options)];
}

/** spec.symbols.registryCas under the keys the injected volume projects to `<registry>/ca.crt`. */
function registryCaData(context: PlanContext): Record<string, string> {
  const cas = context.furnace.spec?.symbols?.registryCas ?? [];
  return Object.fromEntries(cas.map((ca) => [registryCaKey(ca.registry), ca.caBundle]));
}

/** One per opted-in namespace but Furnace's own (its pods are never injected); none until a CA is known. */
export function planServerCaConfigMaps(context: PlanContext): V1ConfigMap[] {
  if (context.certificates.bundlePem === '') return [];
  return context.optedInNamespaces
    .filter((namespace) => namespace !== context.names.namespace)
    .map((namespace) =>
      object<V1ConfigMap>('v1', 'ConfigMap', {
        metadata: labelledMeta(context, SERVER_CA_CONFIG_MAP, 'server-ca', namespace),
        data: { [SERVER_CA_KEY]: context.certificates.bundlePem, ...registryCaData(context) },
      }),
    );
}
