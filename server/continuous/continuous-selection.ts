// What a user switches on: continuous profiling of the pods of one namespace that a label selector picks,
// optionally only some of their containers, at a frequency within the limits. Named per namespace, like a
// Recording; switching one on or off needs `create` on recordings/continuous there. Pure.
import type { V1LabelSelector } from '@kubernetes/client-node';
import { CONTINUOUS_LIMITS } from '../../core/continuous/continuous-plan.ts';

export interface ContinuousSelection {
  namespace: string;
  name: string;
  /** Pods whose labels match; `{}` selects every pod of the namespace. */
  selector: V1LabelSelector;
  /** Only these containers; every container when absent. */
  containers?: string[];
  /** Samples per second; the node's perf runs at the highest of the selections it serves. */
  frequency: number;
  /** Who switched it on, and when (ms since the epoch). */
  createdBy: string;
  createdAt: number;
}

/** The body of `PUT /api/v1/continuous/:namespace/:name`. */
export interface SelectionBody {
  selector?: V1LabelSelector;
  containers?: string[];
  frequency?: number;
}

const LABEL_VALUE = { type: 'string', maxLength: 63 } as const;

export const SELECTION_BODY_SCHEMA = {
  type: 'object',
  properties: {
    selector: {
      type: 'object',
      properties: {
        matchLabels: { type: 'object', additionalProperties: LABEL_VALUE, maxProperties: 64 },
        matchExpressions: {
          type: 'array',
          maxItems: 64,
          items: {
            type: 'object',
            required: ['key', 'operator'],
            properties: {
              key: { type: 'string', minLength: 1, maxLength: 317 },
              operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
              values: { type: 'array', maxItems: 64, items: LABEL_VALUE },
            },
            additionalProperties: false,
          },
        },
      },
      additionalProperties: false,
    },
    containers: {
      type: 'array',
      maxItems: 64,
      items: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' },
    },
    frequency: {
      type: 'integer',
      minimum: CONTINUOUS_LIMITS.frequency.min,
      maximum: CONTINUOUS_LIMITS.frequency.max,
    },
  },
  additionalProperties: false,
} as const;

type Requirement = NonNullable<V1LabelSelector['matchExpressions']>[number];

/** Whether a label's value (undefined when the pod has no such label) meets one requirement. */
function meets({ operator, values }: Requirement, value: string | undefined): boolean {
  const listed = value !== undefined && (values ?? []).includes(value);
  switch (operator) {
    case 'In':
      return listed;
    case 'NotIn':
      return !listed;
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    default:
      return false;
  }
}

/** Whether labels match a Kubernetes label selector (matchLabels and matchExpressions, all of them). */
export function matchesSelector(
  selector: V1LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const have = labels ?? {};
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => have[key] === value);
  return byLabel && (selector.matchExpressions ?? []).every((r) => meets(r, have[r.key]));
}
