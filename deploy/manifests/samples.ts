// deploy/samples/: typed against core/crd/resources.ts, so a sample that the CRD would refuse fails the typecheck
// (and the kube test applies them).
import { type Furnace, type Recording } from '../../core/crd/resources.ts';
import {
  API_GROUP_VERSION,
  KIND_FURNACE,
  KIND_RECORDING,
  NAMESPACE_LABEL,
  NAMESPACE_LABEL_VALUE,
  POD_OPT_IN_KEY,
} from '../../core/contract/names.ts';
import { FURNACE_NAMESPACE } from './operator-rbac.ts';
import { SIDECAR_SCC_ROLE } from './openshift-scc.ts';
import { USER_ROLE_NAMES } from './user-roles.ts';

export const SAMPLE_NAMESPACE = 'my-app';

export const SAMPLE_FURNACE: Furnace = {
  apiVersion: API_GROUP_VERSION,
  kind: KIND_FURNACE,
  metadata: { name: 'furnace', namespace: FURNACE_NAMESPACE },
  spec: {},
};

/** A Recording in the sample namespace of the pods of Deployment web. */
function sampleRecording(name: string, spec: Omit<Recording['spec'], 'target'>): Recording {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: KIND_RECORDING,
    metadata: { name, namespace: SAMPLE_NAMESPACE },
    // The pods of Deployment web (namespace-opt-in.yaml) have generated names: pick them by label.
    spec: { target: { selector: { matchLabels: { app: 'web' } } }, ...spec },
  };
}

export const SAMPLE_RECORDING = sampleRecording('web-cpu', { container: 'web', durationSeconds: 30 });

export const SAMPLE_SCHEDULED_RECORDING = sampleRecording('web-nightly', {
  durationSeconds: 60,
  schedule: '0 3 * * *',
  keep: 7,
});

/** Continuous profiling of container web in the pods of Deployment web, at the server's frequency. */
export const SAMPLE_CONTINUOUS_RECORDING = sampleRecording('web-continuous', {
  container: 'web',
  continuous: {},
});

/** Each new version of Deployment web recorded after its rollout and compared with the last (docs/rollout-watch.md). */
export const SAMPLE_ROLLOUT_WATCH: Recording = {
  apiVersion: API_GROUP_VERSION,
  kind: KIND_RECORDING,
  metadata: { name: 'web-rollouts', namespace: SAMPLE_NAMESPACE },
  spec: {
    target: { selector: {} },
    container: 'web',
    durationSeconds: 30,
    watch: { kind: 'Deployment', name: 'web', settleSeconds: 30 },
  },
};

export const SAMPLE_NAMESPACE_OPT_IN = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: SAMPLE_NAMESPACE, labels: { [NAMESPACE_LABEL]: NAMESPACE_LABEL_VALUE } },
};

/** A Deployment whose pods opt in (label on the pod template; created after the namespace opted in). */
export const SAMPLE_WORKLOAD = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: SAMPLE_NAMESPACE },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web', [POD_OPT_IN_KEY]: 'enabled' } },
      spec: { containers: [{ name: 'web', image: 'docker.io/library/nginx:1.27' }] },
    },
  },
};

export const SAMPLE_ROLE_BINDING = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'furnace-recorders', namespace: SAMPLE_NAMESPACE },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: USER_ROLE_NAMES.recorder },
  subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'my-app-developers' }],
};

/** OpenShift: the workload's service account may use the sidecar's SCC (see the overlay's warning). */
export const SAMPLE_SCC_ROLE_BINDING = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'furnace-sidecar-scc', namespace: SAMPLE_NAMESPACE },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: SIDECAR_SCC_ROLE },
  subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: SAMPLE_NAMESPACE }],
};
