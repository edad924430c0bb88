// A fake KubeGateway for app tests, which run without an API server (the kube tier has the real one).
// It answers from tables and writes down every call, so tests can check what the server asked.
import type { V1Pod } from '@kubernetes/client-node';
import type {
  AccessCheck,
  KubeGateway,
  PathAccessCheck,
  PodEvent,
  TokenReviewResult,
} from '../../server/kube/kube-gateway.ts';

/** The fields of an access check on Furnace's recordings resource (the API group spelled out). */
export const RECORDINGS = { group: 'furnace.hyperfoil.io', resource: 'recordings' } as const;

/** What TokenReview says of a service-account token of `team-a` bound to a pod, for `reviews`. */
export function boundPodReview(pod: string, uid: string, audiences = ['furnace']): TokenReviewResult {
  return {
    authenticated: true,
    username: 'system:serviceaccount:team-a:default',
    audiences,
    extra: { 'authentication.kubernetes.io/pod-name': [pod], 'authentication.kubernetes.io/pod-uid': [uid] },
  };
}

export interface FakeKubeGatewayOptions {
  /** TokenReview answers by token; any other token is not authenticated. */
  reviews?: Record<string, TokenReviewResult>;
  /** Pods by `namespace/name`; any other pod does not exist. */
  pods?: Record<string, V1Pod>;
  /** Labels of namespaces by name; any other namespace does not exist. */
  namespaces?: Record<string, Record<string, string>>;
  /** The SubjectAccessReview decision; everything is allowed without one. */
  allows?: (check: AccessCheck) => boolean;
  /** The SubjectAccessReview decision on a non-resource URL (/metrics); refused without one. */
  allowsPath?: (check: PathAccessCheck) => boolean;
}

export interface FakeKubeGateway extends KubeGateway {
  /** `review <token> <audiences>`, `read <namespace>/<name>` and `namespace <name>`, in order. */
  calls: string[];
  checks: AccessCheck[];
  /** Whether some SubjectAccessReview asked had all of these fields. */
  asked(fields: Partial<AccessCheck>): boolean;
  pathChecks: PathAccessCheck[];
  events: PodEvent[];
}

export function fakeKubeGateway(options: FakeKubeGatewayOptions = {}): FakeKubeGateway {
  const fake: FakeKubeGateway = {
    calls: [],
    checks: [],
    asked: (fields) =>
      fake.checks.some((check) =>
        Object.entries(fields).every(([key, value]) => check[key as keyof AccessCheck] === value),
      ),
    pathChecks: [],
    events: [],
    reviewToken(token, audiences) {
      fake.calls.push(`review ${token} ${audiences?.join(',') ?? ''}`);
      return Promise.resolve(options.reviews?.[token] ?? { authenticated: false });
    },
    checkAccess(check) {
      fake.checks.push(check);
      return Promise.resolve(options.allows?.(check) ?? true);
    },
    checkPathAccess(check) {
      fake.pathChecks.push(check);
      return Promise.resolve(options.allowsPath?.(check) ?? false);
    },
    readPod(namespace, name) {
      fake.calls.push(`read ${namespace}/${name}`);
      return Promise.resolve(options.pods?.[`${namespace}/${name}`]);
    },
    readNamespace(name) {
      fake.calls.push(`namespace ${name}`);
      const labels = options.namespaces?.[name];
      return Promise.resolve(labels ? { metadata: { name, labels } } : undefined);
    },
    recordEvent(event) {
      fake.events.push(event);
      return Promise.resolve();
    },
  };
  return fake;
}
