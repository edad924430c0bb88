// The OLM bundle (registry+v1): the ClusterServiceVersion, made from the same rules, Deployment and CRDs as
// deploy/base, and the bundle's metadata. OLM installs the operator, the CRDs and the user ClusterRoles; a
// Furnace object then installs the rest.
//
// The CSV owns no CRD, on purpose: for every CRD a CSV owns, OLM writes ClusterRoles labelled
// aggregate-to-admin/edit/view, which would give every namespace's `admin` and `edit` `create furnaces`
// (cluster-admin, docs/security.md) and every `view` the recordings. OLM still installs the CRD manifests
// the bundle carries (operator-sdk's bundle validation warns that the CSV does not name them); the
// console then offers no "create" form for them (`oc apply -f deploy/samples/furnace.yaml` instead).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_IMAGES } from '../../core/crd/resources.ts';
import { buildOperatorDeploymentSpec, OPERATOR_IMAGE } from './operator-deployment.ts';
import {
  FURNACE_NAMESPACE,
  OPERATOR_CLUSTER_RULES,
  OPERATOR_NAME,
  OPERATOR_NAMESPACE_RULES,
} from './operator-rbac.ts';

export const OLM_PACKAGE = 'furnace-operator';
export const OLM_CHANNEL = 'alpha';

/** The release version, from package.json (one number for npm, images and the bundle). */
export function releaseVersion(): string {
  const packageJson = JSON.parse(
    readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
  ) as { version: string };
  return packageJson.version;
}

const DESCRIPTION = [
  'Furnace gives Kubernetes users CPU flame graphs of their pods from a browser, a REST call, `kubectl',
  'furnace` or a Recording resource. Create one `Furnace` (an empty `spec: {}` is enough) and the',
  'operator installs the server, the admission webhook that injects the profiling sidecar into pods',
  'that opt in, and their RBAC. Label a namespace `furnace=enabled`, then label or annotate pods',
  '`furnace=enabled`; pods created after that are injected. Users need the `furnace-recorder`',
  'ClusterRole (bound with a RoleBinding) to record.',
  '',
  'The operator acts on one Furnace: `furnace` in its own namespace (install it in namespace `furnace`,',
  'deploy/olm/subscription.yaml). Creating a Furnace equals cluster-admin; no role of this bundle, and',
  "none OLM generates (the CSV owns no CRD), grants it to a namespace's admin, edit or view.",
  '',
  "The injected sidecar is privileged (or has perf's capabilities) and runs as root: on OpenShift it",
  'needs the `furnace-sidecar` SCC, which is effectively root on the node.',
].join('\n');

export function buildClusterServiceVersion(): object {
  const version = releaseVersion();
  return {
    apiVersion: 'operators.coreos.com/v1alpha1',
    kind: 'ClusterServiceVersion',
    metadata: {
      name: `${OLM_PACKAGE}.v${version}`,
      annotations: {
        capabilities: 'Basic Install',
        categories: 'Developer Tools,Monitoring',
        containerImage: OPERATOR_IMAGE,
        description: 'CPU flame graphs of Kubernetes pods from a browser, a REST call or a custom resource',
        'operatorframework.io/suggested-namespace': 'furnace',
      },
    },
    spec: {
      displayName: 'Furnace',
      description: DESCRIPTION,
      version,
      maturity: OLM_CHANNEL,
      // admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy (who may create a continuous Recording;
      // OpenShift 4.17); x-kubernetes-validations with messages and fieldPath since 1.29.
      minKubeVersion: '1.30.0',
      keywords: ['profiling', 'flame graph', 'perf', 'performance'],
      provider: { name: 'Hyperfoil' },
      // The operator watches Recordings in every namespace and the webhook is cluster-wide: one per cluster.
      installModes: [
        { type: 'OwnNamespace', supported: false },
        { type: 'SingleNamespace', supported: false },
        { type: 'MultiNamespace', supported: false },
        { type: 'AllNamespaces', supported: true },
      ],
      // None owned (see the top of this file): OLM would aggregate them into admin, edit and view.
      customresourcedefinitions: {},
      install: {
        strategy: 'deployment',
        spec: {
          permissions: [{ serviceAccountName: OPERATOR_NAME, rules: OPERATOR_NAMESPACE_RULES }],
          clusterPermissions: [{ serviceAccountName: OPERATOR_NAME, rules: OPERATOR_CLUSTER_RULES }],
          deployments: [{ name: OPERATOR_NAME, spec: buildOperatorDeploymentSpec() }],
        },
      },
      relatedImages: [
        { name: 'server', image: DEFAULT_IMAGES.server },
        { name: 'sidecar', image: DEFAULT_IMAGES.sidecar },
        ...(DEFAULT_IMAGES.agent === DEFAULT_IMAGES.sidecar
          ? []
          : [{ name: 'agent', image: DEFAULT_IMAGES.agent }]),
      ],
    },
  };
}

export function buildBundleAnnotations(): object {
  return {
    annotations: {
      'operators.operatorframework.io.bundle.mediatype.v1': 'registry+v1',
      'operators.operatorframework.io.bundle.manifests.v1': 'manifests/',
      'operators.operatorframework.io.bundle.metadata.v1': 'metadata/',
      'operators.operatorframework.io.bundle.package.v1': OLM_PACKAGE,
      'operators.operatorframework.io.bundle.channels.v1': OLM_CHANNEL,
      'operators.operatorframework.io.bundle.channel.default.v1': OLM_CHANNEL,
    },
  };
}

/**
 * deploy/olm/subscription.yaml: a catalog with the bundle, and a subscription to it in namespace `furnace`
 * with an OperatorGroup for all namespaces: the operator's namespace is where its one Furnace lives.
 */
export function buildCatalogSubscription(): object[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: FURNACE_NAMESPACE, labels: { 'app.kubernetes.io/name': 'furnace' } },
    },
    {
      apiVersion: 'operators.coreos.com/v1',
      kind: 'OperatorGroup',
      // No targetNamespaces: all namespaces (the AllNamespaces install mode).
      metadata: { name: 'furnace', namespace: FURNACE_NAMESPACE },
      spec: {},
    },
    {
      apiVersion: 'operators.coreos.com/v1alpha1',
      kind: 'CatalogSource',
      metadata: { name: 'furnace-catalog', namespace: 'openshift-marketplace' },
      spec: {
        sourceType: 'grpc',
        image: `quay.io/hyperfoil/furnace-catalog:${releaseVersion()}`,
        displayName: 'Furnace',
        publisher: 'Hyperfoil',
        updateStrategy: { registryPoll: { interval: '30m' } },
      },
    },
    {
      apiVersion: 'operators.coreos.com/v1alpha1',
      kind: 'Subscription',
      metadata: { name: OLM_PACKAGE, namespace: FURNACE_NAMESPACE },
      spec: {
        channel: OLM_CHANNEL,
        name: OLM_PACKAGE,
        source: 'furnace-catalog',
        sourceNamespace: 'openshift-marketplace',
        installPlanApproval: 'Automatic',
      },
    },
  ];
}
