// Decides whether a reviewed token and the Pod it names may register as a sidecar. Pure.
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import type { InjectionConfig } from '../../core/injection/injection-config.ts';
import { findInjectedSidecar } from '../../core/injection/pod-shape.ts';
import {
  INJECTED_ANNOTATION,
  NAMESPACE_LABEL,
  NAMESPACE_LABEL_VALUE,
  SIDECAR_CONTAINER_NAME,
  TOKEN_AUDIENCE,
} from '../../core/contract/names.ts';
import { injectedSidecarDifference } from './injected-sidecar.ts';
import type { TokenReviewResult } from './kube-gateway.ts';

export const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';
export const POD_UID_EXTRA = 'authentication.kubernetes.io/pod-uid';
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

/** The pod a reviewed service-account token is bound to (`namespace/pod` and its UID), whatever its audience. */
export function boundPodOf(review: TokenReviewResult): { key: string; uid: string | undefined } | undefined {
  const namespace = SERVICE_ACCOUNT_USER.exec(review.username ?? '')?.[1];
  const pod = review.extra?.[POD_NAME_EXTRA]?.[0];
  return namespace && pod
    ? { key: `${namespace}/${pod}`, uid: review.extra?.[POD_UID_EXTRA]?.[0] }
    : undefined;
}

export interface PodPolicy {
  /** Images the furnace container may run: the webhook's injection image, and any extra ones configured. */
  sidecarImages: readonly string[];
  /** What the webhook injects (its config, or the default one when the webhook is off). */
  injection: InjectionConfig;
}

type Check = (pod: V1Pod, name: string, policy: PodPolicy) => string | undefined;

/** What the webhook writes and a pod's author cannot write otherwise: the whole injected container. */
const POD_CHECKS: Check[] = [
  (pod, name) => (pod.metadata?.deletionTimestamp ? `pod ${name} is being deleted` : undefined),
  (pod, name) =>
    pod.metadata?.annotations?.[INJECTED_ANNOTATION] === undefined
      ? `pod ${name} was not injected by the Furnace webhook (no ${INJECTED_ANNOTATION} annotation)`
      : undefined,
  // On the host network the pod IP is the node's: the proxy would reach whatever listens there.
  (pod, name) =>
    pod.spec?.hostNetwork ? `pod ${name} uses the host network (hostNetwork: true)` : undefined,
  (pod, name, policy) => {
    // Job pods carry the sidecar as a native sidecar (an init container that keeps running).
    const sidecar = findInjectedSidecar(pod);
    if (!sidecar) return `pod ${name} has no ${SIDECAR_CONTAINER_NAME} container`;
    return injectedSidecarDifference(pod, sidecar, policy.injection, policy.sidecarImages);
  },
];

/** The pod's IP when the Pod object is the token's pod and carries the sidecar as the webhook injects it. */
export function checkPod(
  expected: TokenPod,
  pod: V1Pod | undefined,
  policy: PodPolicy,
): { ok: true; podIp: string } | Refusal {
  const name = `${expected.namespace}/${expected.pod}`;
  if (!pod) return { ok: false, status: 403, reason: `pod ${name} does not exist` };
  if (pod.metadata?.uid !== expected.podUid) {
    return { ok: false, status: 403, reason: `pod ${name} is not the pod the token was issued for` };
  }
  for (const check of POD_CHECKS) {
    const reason = check(pod, name, policy);
    if (reason !== undefined) return { ok: false, status: 403, reason };
  }
  const podIp = pod.status?.podIP;
  if (!podIp) return { ok: false, status: 503, reason: `pod ${name} has no IP yet` };
  return { ok: true, podIp };
}

/** Registration needs the pod's namespace opted in, as the webhook does before injecting. */
export function checkNamespace(name: string, namespace: V1Namespace | undefined): { ok: true } | Refusal {
  if (namespace?.metadata?.labels?.[NAMESPACE_LABEL] === NAMESPACE_LABEL_VALUE) return { ok: true };
  return {
    ok: false,
    status: 403,
    reason: namespace
      ? `namespace ${name} is not opted in (label ${NAMESPACE_LABEL}=${NAMESPACE_LABEL_VALUE})`
      : `namespace ${name} does not exist`,
  };
}
