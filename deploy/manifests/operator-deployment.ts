// The operator's Deployment. The operator ships in the server image (Dockerfile.server bundles operator/
// beside the server), started with another entry point: one image to build, scan and mirror, and the
// operator and the server it installs are always of one release.
import { bundleCommand } from '../../core/contract/bundle-layout.ts';
import { DEFAULT_IMAGES } from '../../core/crd/resources.ts';
import { FURNACE_NAMESPACE, OPERATOR_NAME } from './operator-rbac.ts';

export const OPERATOR_IMAGE = DEFAULT_IMAGES.server;
export const OPERATOR_COMMAND = bundleCommand('operator');

const selector = { 'app.kubernetes.io/name': 'furnace', 'app.kubernetes.io/component': 'operator' };

/** The Deployment's spec, shared by deploy/base and the ClusterServiceVersion's install strategy. */
export function buildOperatorDeploymentSpec(): object {
  return {
    // One operator at a time: Recreate, so an upgrade never runs two reconcilers side by side.
    replicas: 1,
    strategy: { type: 'Recreate' },
    selector: { matchLabels: selector },
    template: {
      metadata: { labels: selector },
      spec: {
        serviceAccountName: OPERATOR_NAME,
        automountServiceAccountToken: true,
        // No runAsUser: the image's USER (65532) on Kubernetes, the namespace's range on OpenShift.
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'operator',
            image: OPERATOR_IMAGE,
            imagePullPolicy: 'IfNotPresent',
            command: OPERATOR_COMMAND,
            env: [
              { name: 'FURNACE_OPERATOR_LOG_LEVEL', value: 'info' },
              // Its one Furnace lives here, and its namespaced rights are here only.
              {
                name: 'FURNACE_OPERATOR_NAMESPACE',
                valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
              },
              // spec.images of the Furnace is refused unless this is true (docs/operator.md).
              { name: 'FURNACE_OPERATOR_ALLOW_IMAGE_OVERRIDES', value: 'false' },
            ],
            resources: {
              requests: { cpu: '50m', memory: '96Mi' },
              limits: { memory: '256Mi' },
            },
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
            },
          },
        ],
      },
    },
  };
}

export function buildOperatorDeployment(): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: OPERATOR_NAME, namespace: FURNACE_NAMESPACE, labels: selector },
    spec: buildOperatorDeploymentSpec(),
  };
}
