// A review ticket: what one replica's TokenReview of a recorder's token said, signed with the key the
// replicas share (core/shared-key.ts), handed to the recorder in its registration answer and shown back on
// its next renewal, so that any replica takes the review without asking the API server again.
//
// Why: with N replicas behind a load balancer each replica sees a given sidecar's renewal only every N
// renewal periods, so a review cached in one replica's memory was often past its time when the sidecar
// next came by, and that renewal waited for a TokenReview (bench:registry --replicas 2: a quarter of a
// round's renewals at the minute mark). A ticket shares the review instead of storing it anywhere.
//
// What it grants is exactly what a cached review grants, no more: it names the hash of the token it was
// made for (useless without that token), it ends when the review's cache entry would have (at most the
// cache's TTL after the review, never past the token's own `exp`), and a replica that saw the pod deleted
// refuses it like a cached review (token-cache.ts). It carries only the fields registration reads (the
// service account, audiences, the bound pod); it is signed, not sealed: they are the recorder's own.
// Pure (node:crypto only).
import { timingSafeEqual } from 'node:crypto';
import { deriveToken, type SharedKey, type SharedKeys } from '../../core/shared-key.ts';
import type { TokenReviewResult } from './kube-gateway.ts';
import { POD_NAME_EXTRA, POD_UID_EXTRA } from './pod-identity.ts';

/** A review as a cache holds it: the answer, when it was asked, and until when it may be reused. */
export interface VouchedReview {
  result: TokenReviewResult;
  reviewedAt: number;
  until: number;
}

/** What a ticket must match to be taken: the cache scope (audience) and the hash of the presented token. */
export interface TicketSubject {
  scope: string;
  tokenHash: string;
}

/** Longest ticket a registration body may carry; one the server makes is about 400 characters. */
export const MAX_TICKET_LENGTH = 2048;
export const TICKET_PATTERN = '^v1\\.[A-Za-z0-9_-]{1,64}\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$';

const PURPOSE = 'review-ticket';
/** How far ahead of this replica's clock another replica's may be when it made a ticket. */
const CLOCK_SKEW_MS = 5_000;

interface Claims {
  s: string;
  h: string;
  r: number;
  u: number;
  n: string;
  a: string[];
  p: string;
  i: string;
}

function macOf(key: SharedKey, payload: string): string {
  return deriveToken(key, PURPOSE, [payload]);
}

/** A ticket for a successful review of a token bound to a pod; undefined for anything else. */
export function sealReviewTicket(
  key: SharedKey,
  subject: TicketSubject,
  review: VouchedReview,
): string | undefined {
  const { result } = review;
  const pod = result.extra?.[POD_NAME_EXTRA]?.[0];
  const podUid = result.extra?.[POD_UID_EXTRA]?.[0];
  if (!result.authenticated || result.username === undefined || pod === undefined || podUid === undefined)
    return undefined;
  const claims: Claims = {
    s: subject.scope,
    h: subject.tokenHash,
    r: review.reviewedAt,
    u: review.until,
    n: result.username,
    a: result.audiences ?? [],
    p: pod,
    i: podUid,
  };
  const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  return `v1.${key.id}.${payload}.${macOf(key, payload)}`;
}

function isClaims(value: unknown): value is Claims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    typeof c.s === 'string' &&
    typeof c.h === 'string' &&
    Number.isFinite(c.r) &&
    Number.isFinite(c.u) &&
    typeof c.n === 'string' &&
    Array.isArray(c.a) &&
    c.a.every((audience) => typeof audience === 'string') &&
    typeof c.p === 'string' &&
    typeof c.i === 'string'
  );
}

/** The claims of a ticket signed with a key held here, or undefined. */
function signedClaims(keys: SharedKeys, ticket: string): Claims | undefined {
  const parts = ticket.split('.');
  const [version, keyId, payload, mac] = parts;
  if (parts.length !== 4 || version !== 'v1' || !keyId || !payload || !mac) return undefined;
  const key = keys.byId(keyId);
  if (!key) return undefined;
  const expected = Buffer.from(macOf(key, payload));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return isClaims(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The review a ticket vouches for, or undefined when it is not one of ours, is for another token or scope,
 * has ended at `clock.now`, or claims to reuse a review for longer than `clock.maxAgeMs` (the cache's TTL).
 */
export function openReviewTicket(
  keys: SharedKeys,
  ticket: string,
  subject: TicketSubject,
  clock: { now: number; maxAgeMs: number },
): VouchedReview | undefined {
  const { now, maxAgeMs } = clock;
  const claims = signedClaims(keys, ticket);
  if (!claims || claims.s !== subject.scope || claims.h !== subject.tokenHash) return undefined;
  if (claims.u <= now || claims.r > now + CLOCK_SKEW_MS || claims.u - claims.r > maxAgeMs) return undefined;
  return {
    result: {
      authenticated: true,
      username: claims.n,
      audiences: claims.a,
      extra: { [POD_NAME_EXTRA]: [claims.p], [POD_UID_EXTRA]: [claims.i] },
    },
    reviewedAt: claims.r,
    until: claims.u,
  };
}
