// KubeGateway on @kubernetes/client-node. The reviews (TokenReview, SubjectAccessReview) are plain JSON
// requests (kube/kube-request.ts) instead: the server sends one per cached token about every 50 s in the
// background (a token's review is asked again before it expires, token-cache.ts), about 100 a second per
// replica at 5,000 sidecars, and client-node's path for each (undici's fetch and web streams, then its
// model (de)serializer, which also decodes the token the API server echoes back) was about 12 % of a
// replica's main-thread CPU in bench:registry's renewal rounds, and garbage for the collector beside it.
import { randomBytes } from 'node:crypto';
import {
  CoreV1Api,
  type CoreV1Event,
  type KubeConfig,
  type V1Namespace,
  type V1Pod,
  type V1SubjectAccessReviewSpec,
  type V1SubjectAccessReviewStatus,
  type V1TokenReviewStatus,
} from '@kubernetes/client-node';
import { FurnaceError } from '../../core/contract/errors.ts';
import { createKubeRequest, KubeRequestError, type KubeRequest } from '../../kube/kube-request.ts';
import { definedFields } from '../../core/defined-fields.ts';
import type { AccessSubject, KubeGateway, PodEvent, TokenReviewResult } from './kube-gateway.ts';
import { createReviewTurns, type ReviewTurns } from './review-turns.ts';
import { sharedCopies } from './shared-copies.ts';

function statusCode(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

/**
 * Runs a side-effect-free call, once more when it failed below HTTP (no status code): a kept-alive
 * connection that the API server closed as the request went out fails that way, and a fresh one works.
 */
async function retryTransport<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (statusCode(error) !== undefined) throw error;
    return call();
  }
}

/**
 * A 503 that says what failed but not the API server's words: those name the server's service account,
 * its permissions and the cluster's addresses, and the caller may not even be authenticated. The error
 * handler logs the cause.
 */
function unavailable(what: string, cause: unknown): FurnaceError {
  const failure = new FurnaceError('ERR_UNAVAILABLE', `the Kubernetes API server could not ${what}`);
  failure.cause = cause;
  return failure;
}

/** An API server that cannot answer makes the caller retry (503), never a 500. */
async function orUnavailable<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await retryTransport(call);
  } catch (error) {
    throw unavailable(what, error);
  }
}

/** The object, or undefined when the API server says it does not exist (404). */
async function readOrMissing<T>(what: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await retryTransport(read);
  } catch (error) {
    if (statusCode(error) === 404) return undefined;
    throw new FurnaceError(
      'ERR_UNAVAILABLE',
      `the Kubernetes API server could not read ${what}: ${(error as Error).message}`,
    );
  }
}

export function createClientGateway(
  kc: KubeConfig,
  component = 'furnace-server',
  turns: ReviewTurns = createReviewTurns(),
): KubeGateway {
  const request = createKubeRequest(kc);
  const core = kc.makeApiClient(CoreV1Api);
  return {
    async reviewToken(token, audiences) {
      const review = await turns(() =>
        orUnavailable('review a token', () =>
          createReview<V1TokenReviewStatus>(request, TOKEN_REVIEWS, {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenReview',
            spec: { token, ...(audiences ? { audiences } : {}) },
          }),
        ),
      );
      return tokenReviewResult(review.status ?? {});
    },
    checkAccess(check) {
      return reviewAccess(request, turns, check, {
        resourceAttributes: {
          verb: check.verb,
          namespace: check.namespace,
          group: check.group,
          resource: check.resource,
          ...(check.subresource ? { subresource: check.subresource } : {}),
        },
      });
    },
    checkPathAccess(check) {
      return reviewAccess(request, turns, check, {
        nonResourceAttributes: { verb: check.verb, path: check.path },
      });
    },
    readPod(namespace, name): Promise<V1Pod | undefined> {
      return readOrMissing(`pod ${namespace}/${name}`, () => core.readNamespacedPod({ namespace, name }));
    },
    readNamespace(name): Promise<V1Namespace | undefined> {
      return readOrMissing(`namespace ${name}`, () => core.readNamespace({ name }));
    },
    async recordEvent(event) {
      await core.createNamespacedEvent({ namespace: event.namespace, body: podEventBody(event, component) });
    },
  };
}

/** A namespace's service-account user and groups and the audience recur in the reviews of all its pods. */
const sharedReviewPart = sharedCopies(1024);

/**
 * The review as the token cache keeps it, thousands at a time: the recurring parts shared, and the
 * per-token lists (`extra`) copied to their length, since the decoder's arrays grow by pushes and hold
 * room for 17 items each (about 600 B a review at 5,000 cached).
 */
function tokenReviewResult(status: V1TokenReviewStatus): TokenReviewResult {
  const malformed = malformedReviewField(status);
  if (malformed !== undefined)
    return {
      authenticated: false,
      error: `the API server's TokenReview answer has a malformed ${malformed}`,
    };
  const { user, audiences, error } = status;
  const extra =
    user?.extra &&
    Object.fromEntries(Object.entries(user.extra).map(([key, values]) => [key, values.slice()]));
  return {
    authenticated: status.authenticated === true,
    ...definedFields({
      username: user?.username === undefined ? undefined : sharedReviewPart(user.username),
      groups: user?.groups && sharedReviewPart(user.groups),
      extra,
      audiences: audiences && sharedReviewPart(audiences),
      error,
    }),
  };
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isStringLists(value: unknown): value is Record<string, string[]> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(isStrings)
  );
}

/**
 * The first field of a TokenReview's status whose JSON has the wrong type, if any: the answer is read
 * as plain JSON, and a string where a list of groups belongs would otherwise be matched by substring.
 * An authenticated review must name its user.
 */
function malformedReviewField(status: unknown): string | undefined {
  if (typeof status !== 'object' || status === null) return 'status';
  const { user, audiences, error, authenticated } = status as Record<string, unknown>;
  if (user !== undefined && (typeof user !== 'object' || user === null)) return 'user';
  const userField = malformedUserField((user ?? {}) as Record<string, unknown>, authenticated === true);
  if (userField !== undefined) return `user.${userField}`;
  if (audiences !== undefined && !isStrings(audiences)) return 'audiences';
  if (error !== undefined && typeof error !== 'string') return 'error';
  return undefined;
}

function malformedUserField(user: Record<string, unknown>, authenticated: boolean): string | undefined {
  const { username, groups, extra } = user;
  if (username === undefined ? authenticated : typeof username !== 'string') return 'username';
  if (groups !== undefined && !isStrings(groups)) return 'groups';
  if (extra !== undefined && !isStringLists(extra)) return 'extra';
  return undefined;
}

const TOKEN_REVIEWS = '/apis/authentication.k8s.io/v1/tokenreviews';
const ACCESS_REVIEWS = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

/** Creates a review (the API server answers 201 with its status); another answer is an error with its status as `code`. */
async function createReview<S>(request: KubeRequest, path: string, body: object): Promise<{ status?: S }> {
  const answer = await request({ method: 'POST', path, body });
  if (answer.status !== 201 && answer.status !== 200) throw new KubeRequestError(`POST ${path}`, answer);
  const review = answer.body as { status?: S } | undefined;
  return review ?? {};
}

/** A SubjectAccessReview of the subject on resource or non-resource attributes: allowed or not. */
async function reviewAccess(
  request: KubeRequest,
  turns: ReviewTurns,
  subject: AccessSubject,
  attributes: Pick<V1SubjectAccessReviewSpec, 'resourceAttributes' | 'nonResourceAttributes'>,
): Promise<boolean> {
  const review = await turns(() =>
    orUnavailable('check access', () =>
      createReview<V1SubjectAccessReviewStatus>(request, ACCESS_REVIEWS, {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: subject.user,
          groups: subject.groups,
          ...(subject.extra ? { extra: subject.extra } : {}),
          ...attributes,
        },
      }),
    ),
  );
  return review.status?.allowed === true;
}

function podEventBody(event: PodEvent, component: string): CoreV1Event {
  const now = new Date();
  return {
    metadata: { name: `${event.pod}.${randomBytes(6).toString('hex')}`, namespace: event.namespace },
    involvedObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      namespace: event.namespace,
      name: event.pod,
      ...(event.podUid ? { uid: event.podUid } : {}),
    },
    reason: event.reason,
    message: event.message,
    type: event.type,
    source: { component },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}
