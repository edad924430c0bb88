// The ClusterRoles users are bound to (in a namespace with a RoleBinding, or everywhere with a
// ClusterRoleBinding). The server checks these verbs with a SubjectAccessReview on every call, and the
// same verbs govern the Recording objects themselves.
import type { V1PolicyRule } from '@kubernetes/client-node';
import { AGGREGATED_GROUP } from '../../core/contract/aggregated-api.ts';
import { RECORDING_PLURAL } from '../../core/crd/resources.ts';
import { API_GROUP } from '../../core/contract/names.ts';

export const USER_ROLE_NAMES = {
  viewer: 'furnace-viewer',
  recorder: 'furnace-recorder',
  tracer: 'furnace-tracer',
  continuous: 'furnace-continuous',
} as const;

const recordings = (verbs: string[], resources = [RECORDING_PLURAL]): V1PolicyRule => ({
  apiGroups: [API_GROUP],
  resources,
  verbs,
});

/**
 * `kubectl furnace` goes through the aggregated API, where the API server checks RBAC on the aggregated
 * group before it forwards; Furnace then checks the rules above, per namespace, as for every caller.
 */
const aggregated = (verbs: string[], resources = ['*']): V1PolicyRule => ({
  apiGroups: [AGGREGATED_GROUP],
  resources,
  verbs,
});

/** View and download recordings (watch too, so `kubectl get recordings -w` works). */
const VIEWER_RULES = [recordings(['get', 'list', 'watch']), aggregated(['get', 'list'])];
/**
 * Start, stop and delete recordings; create Recording objects; upload and delete the namespace's symbol
 * files (recordings/symbols: they name the frames of the namespace's own recordings only).
 */
const RECORDER_RULES = [
  recordings(['get', 'list', 'watch', 'create', 'delete']),
  recordings(['create', 'delete'], [`${RECORDING_PLURAL}/symbols`]),
  aggregated(['get', 'list', 'create', 'delete']),
  // Pinning a workload's baseline is a PUT, which the API server authorizes as `update`; only there.
  aggregated(['update'], ['recordings/baseline']),
];
/** Everything a recorder may, plus user-supplied bpftrace programs. */
const TRACER_RULES = [...RECORDER_RULES, recordings(['create'], [`${RECORDING_PLURAL}/bpftrace`])];
/**
 * Everything a recorder may, plus switching continuous profiling of the namespace's pods on and off: it
 * keeps a profiler sampling them on their nodes until switched off, so it is a grant of its own.
 */
const CONTINUOUS_RULES = [...RECORDER_RULES, recordings(['create'], [`${RECORDING_PLURAL}/continuous`])];

export const USER_ROLE_RULES: Readonly<Record<keyof typeof USER_ROLE_NAMES, V1PolicyRule[]>> = {
  viewer: VIEWER_RULES,
  recorder: RECORDER_RULES,
  tracer: TRACER_RULES,
  continuous: CONTINUOUS_RULES,
};

export function buildUserRoles(): object[] {
  return (Object.keys(USER_ROLE_NAMES) as (keyof typeof USER_ROLE_NAMES)[]).map((role) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name: USER_ROLE_NAMES[role],
      labels: { 'app.kubernetes.io/name': 'furnace', 'app.kubernetes.io/component': 'user-role' },
    },
    rules: USER_ROLE_RULES[role],
  }));
}
