// The ValidatingAdmissionPolicy (and its binding) that checks who creates a continuous Recording: the
// operator switches the selection on as itself, so the author's own `create` on recordings/continuous must be
// checked when the Recording is admitted. The API server evaluates it itself (Kubernetes 1.30 or newer,
// OpenShift 4.17): its CEL `authorizer` asks about the request's own user, so no webhook listener can be
// handed a made-up user to ask about, and no Furnace server has to be up for Recordings to be admitted.
import type {
  V1LabelSelector,
  V1ValidatingAdmissionPolicy,
  V1ValidatingAdmissionPolicyBinding,
} from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { API_GROUP, API_VERSION } from '../contract/names.ts';
import { RECORDING_PLURAL } from './resources.ts';

/** The subresource whose `create` switches continuous profiling on (as the REST route checks it). */
export const CONTINUOUS_SUBRESOURCE = 'continuous';
/** The ClusterRole that grants it, named in every refusal. */
export const CONTINUOUS_CLUSTER_ROLE = 'furnace-continuous';
/** The name of the policy and of its binding (the operator's ClusterRole names it in resourceNames). */
export const RECORDING_POLICY_NAME = 'furnace-recordings';

/**
 * Only Recordings with spec.continuous are checked: ordinary Recordings never depend on the policy, so its
 * `failurePolicy: Fail` can refuse nothing but continuous Recordings.
 */
export const CONTINUOUS_MATCH_CONDITION = {
  name: 'continuous-recording',
  expression: 'has(object.spec) && has(object.spec.continuous)',
};

/** A CEL string literal (CEL's double-quoted strings take JSON's escapes). */
const cel = (text: string): string => JSON.stringify(text);

/** Whether the request's own user may create recordings/continuous in the request's namespace. */
export const CONTINUOUS_AUTHORIZATION = `authorizer.group(${cel(API_GROUP)}).resource(${cel(RECORDING_PLURAL)}).subresource(${cel(CONTINUOUS_SUBRESOURCE)}).namespace(request.namespace).check(${cel('create')}).allowed()`;

/** The refusal the user reads in kubectl, worded as the REST route's 403. */
export const CONTINUOUS_REFUSAL = [
  'request.userInfo.username',
  cel(` may not create ${RECORDING_PLURAL}/${CONTINUOUS_SUBRESOURCE} (API group ${API_GROUP}) in namespace `),
  'request.namespace',
  cel(
    `: a Recording with spec.continuous switches continuous profiling on, which needs this permission beyond recording (ClusterRole ${CONTINUOUS_CLUSTER_ROLE} grants it, bound in the namespace)`,
  ),
].join(' + ');

export interface RecordingPolicyOptions {
  /** The policy's and the binding's name. */
  name: string;
  labels?: Record<string, string>;
  /** Every namespace unless set (tests narrow it to their own). */
  namespaceSelector?: V1LabelSelector;
}

function metadataOf(options: RecordingPolicyOptions): { name: string; labels?: Record<string, string> } {
  return { name: options.name, ...(options.labels ? { labels: { ...options.labels } } : {}) };
}

export function buildRecordingAdmissionPolicy(options: RecordingPolicyOptions): V1ValidatingAdmissionPolicy {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: metadataOf(options),
    spec: {
      // Fail: without the check, a continuous Recording would be switched on with the operator's rights.
      failurePolicy: 'Fail',
      matchConstraints: {
        matchPolicy: 'Equivalent',
        // CREATE only: the spec is immutable (the CRD's `self == oldSelf`), so no update can add continuous.
        resourceRules: [
          {
            apiGroups: [API_GROUP],
            apiVersions: [API_VERSION],
            operations: ['CREATE'],
            resources: [RECORDING_PLURAL],
            scope: 'Namespaced',
          },
        ],
        ...(options.namespaceSelector ? { namespaceSelector: options.namespaceSelector } : {}),
      },
      matchConditions: [CONTINUOUS_MATCH_CONDITION],
      validations: [
        { expression: CONTINUOUS_AUTHORIZATION, messageExpression: CONTINUOUS_REFUSAL, reason: 'Forbidden' },
      ],
    },
  };
}

/** Deny: a refused check refuses the request (not a warning or an audit annotation only). */
export function buildRecordingAdmissionBinding(
  options: RecordingPolicyOptions,
): V1ValidatingAdmissionPolicyBinding {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: metadataOf(options),
    spec: { policyName: options.name, validationActions: ['Deny'] },
  };
}

export const RECORDING_POLICY_MANIFEST_PATH = 'deploy/webhook/recording-admission-policy.yaml';

/** The checked-in manifest (deploy/webhook/generate.ts writes it; a unit test compares it). */
export function renderRecordingPolicyManifest(): string {
  const options = {
    name: RECORDING_POLICY_NAME,
    labels: { 'app.kubernetes.io/name': 'furnace', 'app.kubernetes.io/component': 'admission' },
  };
  const header = [
    '# Generated by deploy/webhook/generate.ts from core/crd/recording-admission.ts; do not edit.',
    '# Who may create a continuous Recording, checked by the API server itself (Kubernetes 1.30+, OpenShift 4.17+):',
    '# the request user needs create on recordings/continuous; failurePolicy Fail, continuous Recordings only.',
  ];
  const documents = [buildRecordingAdmissionPolicy(options), buildRecordingAdmissionBinding(options)];
  return `${header.join('\n')}\n${documents.map((d) => stringify(d)).join('---\n')}`;
}
