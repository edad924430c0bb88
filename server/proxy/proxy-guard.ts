// Who may call /proxy/:namespace/:pod/*: the verb follows the method and the path below the pod, asked in
// the pod's namespace before the pod is looked up (who may not act in the namespace learns nothing of its
// pods). A start that only its body shows to be whole-node or bpftrace demands more (start-admission.ts).
import type { FastifyRequest } from 'fastify';
import type { AccessVerb } from '../auth/access.ts';
import type { RouteGuard } from '../auth/route-guard.ts';
import { restOf } from './proxy-context.ts';

/** The subresource of recordings whose `create` permission a `systemWide: true` start needs. */
export const SYSTEM_WIDE_SUBRESOURCE = 'system-wide';
/** The subresource of recordings whose `create` permission a start with profiler `bpftrace` needs. */
export const BPFTRACE_SUBRESOURCE = 'bpftrace';

function verbFor(method: string, rest: string): AccessVerb {
  // The process picker shows the pod's command lines, which may hold secrets: for those who may record
  // the pod (and so choose among its processes), not for everyone who may read its recordings.
  if (rest === 'processes') return 'create';
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'get';
  if (method === 'DELETE') return 'delete';
  return rest === '' ? 'get' : 'create';
}

export const PROXY_GUARD: RouteGuard = {
  authorize: {
    verb: (request: FastifyRequest) => verbFor(request.method, restOf(request)),
    namespace: { param: 'namespace' },
    demands: {
      [SYSTEM_WIDE_SUBRESOURCE]: {
        verb: 'create',
        namespace: { param: 'namespace' },
        subresource: SYSTEM_WIDE_SUBRESOURCE,
      },
      /**
       * Asked cluster-wide: a program's BEGIN and END blocks and its kernel probes run outside any pod's
       * scope and can read any kernel memory of the node, so a grant in one namespace (a RoleBinding) would
       * amount to much more than that namespace. Only a ClusterRoleBinding grants it; the refusal says so.
       */
      [BPFTRACE_SUBRESOURCE]: {
        verb: 'create',
        namespace: 'cluster',
        subresource: BPFTRACE_SUBRESOURCE,
        hint: 'a bpftrace program can read any kernel memory of the node, so it needs this permission cluster-wide (a ClusterRoleBinding to ClusterRole furnace-tracer; a RoleBinding in one namespace does not grant it)',
      },
    },
  },
};
