// What the continuous-profiling app tests share: node-a's agent pod and its service-account token as the
// TokenReview answers it, and the agent settings of a server in agent mode with continuous profiling on.
import type { V1Pod } from '@kubernetes/client-node';
import type { TokenReviewResult } from '../../../server/kube/kube-gateway.ts';

export const AGENT_UID = '0a0a0a0a-0000-4000-8000-00000000000a';

/** The agent's pod on node-a, in the server's namespace. */
export const AGENT_POD: V1Pod = {
  metadata: { namespace: 'furnace', name: 'agent-a', uid: AGENT_UID },
  spec: { nodeName: 'node-a', serviceAccountName: 'furnace-agent', containers: [] },
  status: { podIP: '127.0.0.1' },
};

/** `agent-token`: the agent pod's projected token, bound to its pod. */
export const AGENT_REVIEW: Record<string, TokenReviewResult> = {
  'agent-token': {
    authenticated: true,
    username: 'system:serviceaccount:furnace:furnace-agent',
    audiences: ['furnace'],
    extra: {
      'authentication.kubernetes.io/pod-name': ['agent-a'],
      'authentication.kubernetes.io/pod-uid': [AGENT_UID],
    },
  },
};

/** Agent mode with continuous profiling at 19 Hz in 15 s windows, kept a week. */
export const CONTINUOUS_AGENT_SETTINGS = {
  namespace: 'furnace',
  serviceAccount: 'furnace-agent',
  port: 12382,
  continuous: { frequency: 19, windowSeconds: 15, retentionHours: 168 },
};
