// Decides whether a reviewed token may register as the node agent of the node it claims. Pure.
// The token must be the configured agent service account's, in Furnace's namespace, bound to a pod (a
// projected token: the API server writes the pod's name and UID into the review), and that pod must exist
// with that UID, run as that service account, and be scheduled on the claimed node. So an agent can only
// ever be the agent of the node its own pod runs on, and a tenant's pod can never register as one.
import type { V1Pod } from '@kubernetes/client-node';
import type { TokenReviewResult } from './kube-gateway.ts';
import { podFromReview, type Refusal, type TokenPod } from './pod-identity.ts';

export interface AgentPolicy {
  /** Furnace's namespace, where the agent runs. */
  namespace: string;
  serviceAccount: string;
}

/** The agent's own pod from a TokenReview with audience `furnace`, if the token is the agent account's. */
export function agentPodFromReview(
  review: TokenReviewResult,
  policy: AgentPolicy,
): { ok: true; pod: TokenPod } | Refusal {
  const fromToken = podFromReview(review);
  if (!fromToken.ok) return fromToken;
  const expected = `system:serviceaccount:${policy.namespace}:${policy.serviceAccount}`;
  if (review.username !== expected)
    return { ok: false, status: 403, reason: `the agent must authenticate as ${expected}` };
  return fromToken;
}

/** The agent pod's IP when the Pod object is the token's pod, as the agent account, on the claimed node. */
export function checkAgentPod(
  expected: TokenPod,
  pod: V1Pod | undefined,
  claimedNode: string,
  policy: AgentPolicy,
): { ok: true; podIp: string } | Refusal {
  const name = `${expected.namespace}/${expected.pod}`;
  if (!pod) return { ok: false, status: 403, reason: `agent pod ${name} does not exist` };
  if (pod.metadata?.uid !== expected.podUid)
    return { ok: false, status: 403, reason: `agent pod ${name} is not the pod the token was issued for` };
  if (pod.metadata.deletionTimestamp)
    return { ok: false, status: 403, reason: `agent pod ${name} is being deleted` };
  if ((pod.spec?.serviceAccountName ?? 'default') !== policy.serviceAccount)
    return { ok: false, status: 403, reason: `agent pod ${name} does not run as ${policy.serviceAccount}` };
  const node = pod.spec?.nodeName;
  if (node !== claimedNode)
    return {
      ok: false,
      status: 403,
      reason: `agent pod ${name} runs on node ${JSON.stringify(node ?? '')}, not on ${JSON.stringify(claimedNode)}`,
    };
  const podIp = pod.status?.podIP;
  if (!podIp) return { ok: false, status: 503, reason: `agent pod ${name} has no IP yet` };
  return { ok: true, podIp };
}
