// Decides whether a reviewed token and the Pod it names may register as a sidecar. Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { findInjectedSidecar } from '../../core/injection/pod-shape.ts';
import { SIDECAR_CONTAINER_NAME, TOKEN_AUDIENCE } from '../../core/names.ts';
import type { TokenReviewResult } from './kube-gateway.ts';

const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';
const POD_UID_EXTRA = 'authentication.kubernetes.io/pod-uid';
const SERVICE_ACCOUNT_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

export interface TokenPod {
  namespace: string;
  pod: string;
  podUid: string;
}

export type Refusal = { ok: false; status: 401 | 403 | 503; reason: string };

/** The pod a service-account token is bound to, from a TokenReview with audience `furnace`. */
export function podFromReview(review: TokenReviewResult): { ok: true; pod: TokenPod } | Refusal {
  // The API server's own error text stays out of the answer: the caller is not authenticated.
  if (!review.authenticated) return { ok: false, status: 401, reason: 'token not accepted' };
  if (!(review.audiences ?? []).includes(TOKEN_AUDIENCE)) {
    return { ok: false, status: 401, reason: `token audience is not ${TOKEN_AUDIENCE}` };
  }
  const account = SERVICE_ACCOUNT_USER.exec(review.username ?? '');
  const pod = review.extra?.[POD_NAME_EXTRA]?.[0];
  const podUid = review.extra?.[POD_UID_EXTRA]?.[0];
  if (!account?.[1] || !pod || !podUid) {
    return { ok: false, status: 403, reason: 'token is not a service-account token bound to a pod' };
  }
  return { ok: true, pod: { namespace: account[1], pod, podUid } };
}

/** The pod's IP when the Pod object is the token's pod and carries the injected container. */
export function checkPod(expected: TokenPod, pod: V1Pod | undefined): { ok: true; podIp: string } | Refusal {
  if (!pod)
    return { ok: false, status: 403, reason: `pod ${expected.namespace}/${expected.pod} does not exist` };
  if (pod.metadata?.uid !== expected.podUid) {
    return {
      ok: false,
      status: 403,
      reason: `pod ${expected.namespace}/${expected.pod} is not the pod the token was issued for`,
    };
  }
  if (pod.metadata?.deletionTimestamp) {
    return { ok: false, status: 403, reason: `pod ${expected.namespace}/${expected.pod} is being deleted` };
  }
  // Job pods carry the sidecar as a native sidecar (an init container that keeps running).
  if (!findInjectedSidecar(pod)) {
    return {
      ok: false,
      status: 403,
      reason: `pod ${expected.namespace}/${expected.pod} has no ${SIDECAR_CONTAINER_NAME} container`,
    };
  }
  const podIp = pod.status?.podIP;
  if (!podIp)
    return { ok: false, status: 503, reason: `pod ${expected.namespace}/${expected.pod} has no IP yet` };
  return { ok: true, podIp };
}
