// OpenShift: the SecurityContextConstraints that admit a pod with the injected sidecar (privileged or
// with perf's capabilities, root, read-only host paths), and the ClusterRole that lets a service account
// use it. SCCs are checked for the whole pod, against the pod's service account: the one the workload
// runs as, in its own namespace.
import { SIDECAR_CAPABILITIES } from '../../core/injection/sidecar-container.ts';

export const SIDECAR_SCC_NAME = 'furnace-sidecar';
export const SIDECAR_SCC_ROLE = 'furnace-sidecar-scc';
/** What the injected container mounts from the host (core/injection/sidecar-volumes.ts); read only. */
export const SIDECAR_HOST_PATHS = ['/lib/modules', '/sys/kernel/debug', '/usr/src/kernels'];

const labels = { 'app.kubernetes.io/name': 'furnace', 'app.kubernetes.io/component': 'sidecar' };

export const SIDECAR_SCC_WARNING = [
  'WARNING: this SCC is effectively root on the node. A pod admitted by it may run a privileged container',
  'as root with host kernel access; anyone who can create pods with a service account bound to',
  `"${SIDECAR_SCC_ROLE}" can take over the node. Bind it only to the service accounts of workloads you`,
  'profile, in namespaces whose editors you trust with that.',
];

export function buildSidecarScc(): object {
  return {
    apiVersion: 'security.openshift.io/v1',
    kind: 'SecurityContextConstraints',
    metadata: {
      name: SIDECAR_SCC_NAME,
      labels,
      annotations: { 'kubernetes.io/description': SIDECAR_SCC_WARNING.join(' ') },
    },
    // Below the built-in SCCs' priority, so pods that do not need it keep restricted-v2.
    priority: null,
    allowPrivilegedContainer: true,
    allowPrivilegeEscalation: true,
    allowedCapabilities: [...SIDECAR_CAPABILITIES],
    defaultAddCapabilities: null,
    requiredDropCapabilities: null,
    allowHostDirVolumePlugin: true,
    allowedHostPaths: SIDECAR_HOST_PATHS.map((pathPrefix) => ({ pathPrefix, readOnly: true })),
    allowHostIPC: false,
    allowHostNetwork: false,
    allowHostPID: false,
    allowHostPorts: false,
    readOnlyRootFilesystem: false,
    runAsUser: { type: 'RunAsAny' },
    seLinuxContext: { type: 'MustRunAs' },
    fsGroup: { type: 'RunAsAny' },
    supplementalGroups: { type: 'RunAsAny' },
    seccompProfiles: ['*'],
    volumes: [
      'configMap',
      'csi',
      'downwardAPI',
      'emptyDir',
      'ephemeral',
      'hostPath',
      'persistentVolumeClaim',
      'projected',
      'secret',
    ],
    users: [],
    groups: [],
  };
}

export function buildSidecarSccRole(): object {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: SIDECAR_SCC_ROLE, labels },
    rules: [
      {
        apiGroups: ['security.openshift.io'],
        resources: ['securitycontextconstraints'],
        resourceNames: [SIDECAR_SCC_NAME],
        verbs: ['use'],
      },
    ],
  };
}
