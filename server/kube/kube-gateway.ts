// The few Kubernetes calls the server makes, behind one interface so tests can pass a real
// client or a small fake at the boundary.
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';

export interface TokenReviewResult {
  authenticated: boolean;
  username?: string;
  groups?: string[];
  audiences?: string[];
  extra?: Record<string, string[]>;
  error?: string;
}

/** Who an access check is about, as a SubjectAccessReview names them. */
export interface AccessSubject {
  user: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface AccessCheck extends AccessSubject {
  verb: string;
  namespace: string;
  group: string;
  resource: string;
  subresource?: string;
}

/** Access to a non-resource URL (nonResourceAttributes), such as GET /metrics. */
export interface PathAccessCheck extends AccessSubject {
  verb: string;
  path: string;
}

export interface PodEvent {
  namespace: string;
  pod: string;
  podUid?: string;
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
}

export interface KubeGateway {
  reviewToken(token: string, audiences?: string[]): Promise<TokenReviewResult>;
  checkAccess(check: AccessCheck): Promise<boolean>;
  checkPathAccess(check: PathAccessCheck): Promise<boolean>;
  /** The pod, or undefined when it does not exist. */
  readPod(namespace: string, name: string): Promise<V1Pod | undefined>;
  /** The namespace, or undefined when it does not exist (registration checks its opt-in label). */
  readNamespace(name: string): Promise<V1Namespace | undefined>;
  recordEvent(event: PodEvent): Promise<void>;
}
