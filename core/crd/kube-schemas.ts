// Schemas of the Kubernetes types that the CRDs embed, written out (not preserve-unknown-fields) so the
// API server validates them like it does in built-in kinds.
import type { V1LabelSelector, V1ResourceRequirements, V1Toleration } from '@kubernetes/client-node';
import type { Condition } from './resources.ts';
import type { JsonSchema, SchemaOf } from './schema-types.ts';

const stringMap = {
  type: 'object',
  additionalProperties: { type: 'string', maxLength: 317 },
} as const satisfies SchemaOf<Record<string, string>>;

export const labelSelectorSchema = {
  type: 'object',
  description: 'A label selector, as in a Deployment: matchLabels and matchExpressions, all must match.',
  'x-kubernetes-map-type': 'atomic',
  properties: {
    matchLabels: { ...stringMap, maxProperties: 64 },
    matchExpressions: {
      type: 'array',
      maxItems: 64,
      'x-kubernetes-list-type': 'atomic',
      items: {
        type: 'object',
        required: ['key', 'operator'],
        properties: {
          key: { type: 'string', maxLength: 317 },
          operator: { type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
          values: {
            type: 'array',
            maxItems: 256,
            'x-kubernetes-list-type': 'atomic',
            items: { type: 'string', maxLength: 63 },
          },
        },
      },
    },
  },
} as const satisfies SchemaOf<V1LabelSelector>;

const quantity: JsonSchema & { 'x-kubernetes-int-or-string': true } = {
  'x-kubernetes-int-or-string': true,
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  pattern:
    '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
};

export const resourceRequirementsSchema = {
  type: 'object',
  description: 'CPU and memory requests and limits, as in a container.',
  properties: {
    limits: { type: 'object', additionalProperties: quantity },
    requests: { type: 'object', additionalProperties: quantity },
    claims: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, request: { type: 'string' } },
      },
    },
  },
} as const satisfies SchemaOf<V1ResourceRequirements>;

export const tolerationsSchema = {
  type: 'array',
  'x-kubernetes-list-type': 'atomic',
  items: {
    type: 'object',
    properties: {
      key: { type: 'string' },
      operator: { type: 'string', enum: ['Exists', 'Equal'] },
      value: { type: 'string' },
      effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
      tolerationSeconds: { type: 'integer', format: 'int64' },
    },
  },
} as const satisfies SchemaOf<V1Toleration[]>;

export const conditionsSchema = {
  type: 'array',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  items: {
    type: 'object',
    required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
    properties: {
      type: { type: 'string', maxLength: 316 },
      status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
      reason: { type: 'string', maxLength: 1024 },
      message: { type: 'string', maxLength: 32768 },
      lastTransitionTime: { type: 'string', format: 'date-time' },
      observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
    },
  },
} as const satisfies SchemaOf<Condition[]>;

export { stringMap as stringMapSchema };
