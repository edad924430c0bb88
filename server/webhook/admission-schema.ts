// JSON schemas of the webhook route: bad input is answered 400 before the handler runs.
import { ADMISSION_API_VERSION, ADMISSION_KIND } from '../../core/injection/review-admission.ts';

export const admissionReviewBodySchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'request'],
  properties: {
    apiVersion: { type: 'string', const: ADMISSION_API_VERSION },
    kind: { type: 'string', const: ADMISSION_KIND },
    request: {
      type: 'object',
      required: ['uid'],
      properties: {
        uid: { type: 'string', minLength: 1 },
        operation: { type: 'string' },
        subResource: { type: 'string' },
        kind: { type: 'object' },
        dryRun: { type: 'boolean' },
      },
    },
  },
} as const;

export const admissionReviewResponseSchema = {
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
        patchType: { type: 'string' },
        patch: { type: 'string' },
        warnings: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

export const errorBodySchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
} as const;
