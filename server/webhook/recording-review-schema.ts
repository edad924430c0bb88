// The AdmissionReview the API server sends to POST /validate-recording, as far as the check reads it, and
// the answer. Whoever reaches the webhook listener can post one, so every field the check uses is bounded
// here and checked without coercion (a string is never taken for a list of groups) before the handler runs.
import { ADMISSION_API_VERSION, ADMISSION_KIND } from '../../core/injection/review-admission.ts';

/** What the check reads of `request` (the API server sends more; the rest is ignored). */
export interface RecordingAdmissionRequest {
  uid: string;
  kind: { group: string; version?: string; kind: string };
  operation: string;
  namespace: string;
  userInfo: {
    username: string;
    uid?: string;
    groups?: string[];
    extra?: Record<string, string[]>;
  };
  object?: { spec?: { continuous?: unknown } } | null;
  dryRun?: boolean;
}

const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';

const userInfoSchema = {
  type: 'object',
  required: ['username'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 1024 },
    uid: text(1024),
    groups: { type: 'array', maxItems: 256, items: text(1024) },
    extra: {
      type: 'object',
      maxProperties: 64,
      propertyNames: { maxLength: 1024 },
      additionalProperties: { type: 'array', maxItems: 64, items: text(4096) },
    },
  },
} as const;

export const recordingReviewBodySchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'request'],
  properties: {
    apiVersion: { type: 'string', const: ADMISSION_API_VERSION },
    kind: { type: 'string', const: ADMISSION_KIND },
    request: {
      type: 'object',
      required: ['uid', 'kind', 'operation', 'namespace', 'userInfo'],
      properties: {
        uid: { type: 'string', minLength: 1, maxLength: 128 },
        kind: {
          type: 'object',
          required: ['group', 'kind'],
          properties: { group: text(253), version: text(63), kind: text(63) },
        },
        operation: text(16),
        namespace: { type: 'string', pattern: DNS_LABEL },
        userInfo: userInfoSchema,
        object: { type: ['object', 'null'] },
        dryRun: { type: 'boolean' },
      },
    },
  },
} as const;

export const recordingReviewResponseSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'response'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    response: {
      type: 'object',
      required: ['uid', 'allowed'],
      properties: {
        uid: { type: 'string' },
        allowed: { type: 'boolean' },
        status: {
          type: 'object',
          properties: {
            code: { type: 'integer' },
            reason: { type: 'string' },
            message: { type: 'string' },
          },
        },
      },
    },
  },
} as const;
