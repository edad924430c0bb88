// The Furnace CustomResourceDefinition: one per installation; `spec: {}` installs everything with defaults.
import {
  DEFAULT_IMAGES,
  FURNACE_CRD_NAME,
  FURNACE_PLURAL,
  FURNACE_SINGULAR,
  FURNACE_SPEC_DEFAULTS,
  type FurnaceLimitValues,
  type FurnaceSpec,
  type FurnaceStatus,
} from './resources.ts';
import { API_GROUP, API_VERSION, KIND_FURNACE } from '../contract/names.ts';
import { DEFAULT_LIMITS, LIMIT_CEILINGS } from '../contract/limits.ts';
import {
  conditionsSchema,
  labelSelectorSchema,
  resourceRequirementsSchema,
  stringMapSchema,
  tolerationsSchema,
} from './kube-schemas.ts';
import type { JsonSchema, SchemaOf } from './schema-types.ts';
import type { FurnaceS3Storage } from './resources.ts';
import { customResourceDefinition, type CustomResourceDefinition } from './crd-object.ts';
import { MAX_FURNACE_SINKS, secretKey, sinkSchema } from './furnace-sink-schema.ts';
import { furnaceSymbolsSchema } from './furnace-symbols-schema.ts';

export { MAX_FURNACE_SINKS };

const image = (which: keyof typeof DEFAULT_IMAGES) =>
  ({
    type: 'string',
    minLength: 1,
    maxLength: 512,
    pattern: '^\\S+$',
    description: `Image reference; the operator uses ${DEFAULT_IMAGES[which]} when unset.`,
  }) as const;

function limit(key: keyof FurnaceLimitValues, what: string): JsonSchema & { type: 'integer' } {
  return {
    type: 'integer',
    format: 'int64',
    minimum: 1,
    maximum: LIMIT_CEILINGS[key],
    description: `${what} (server key limits.${key}; server default ${DEFAULT_LIMITS[key]}).`,
  };
}

const limitValues = {
  maxDurationSeconds: limit('maxDurationSeconds', 'Longest recording, seconds'),
  maxFrequency: limit('maxFrequency', 'Highest sampling frequency, Hz'),
  maxConcurrentPerNamespace: limit('maxConcurrentPerNamespace', 'Recordings at once in one namespace'),
  maxConcurrentPerCluster: limit('maxConcurrentPerCluster', 'Recordings at once in the cluster'),
  maxArtifactBytes: limit('maxArtifactBytes', 'Largest single artifact, bytes'),
} as const;

const hostSchema = {
  type: 'string',
  maxLength: 253,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
} as const;

const s3StorageSchema = {
  type: 'object',
  description: 'An S3-compatible bucket for artifacts; with it, several server replicas share one catalog.',
  required: ['bucket'],
  properties: {
    bucket: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' },
    endpoint: { type: 'string', maxLength: 2048, pattern: '^https?://' },
    region: { type: 'string', maxLength: 64 },
    prefix: { type: 'string', maxLength: 512, pattern: '^([!-.0-[\\]-~]+/)*$' },
    forcePathStyle: { type: 'boolean' },
    secretName: {
      type: 'string',
      maxLength: 253,
      description: "A Secret in Furnace's namespace with the keys.",
    },
    accessKeyIdKey: { ...secretKey, description: 'Key of the access key id in the Secret (accessKeyId).' },
    secretAccessKeyKey: {
      ...secretKey,
      description: 'Key of the secret key in the Secret (secretAccessKey).',
    },
  },
} as const satisfies SchemaOf<FurnaceS3Storage>;

/** The most server replicas a Furnace may ask for. */
export const MAX_SERVER_REPLICAS = 20;

export const furnaceSpecSchema = {
  type: 'object',
  description: 'What to install; every field is optional (`spec: {}` installs Furnace with defaults).',
  default: {},
  properties: {
    images: {
      type: 'object',
      properties: { server: image('server'), sidecar: image('sidecar'), agent: image('agent') },
    },
    replicas: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_SERVER_REPLICAS,
      description:
        'Server replicas (default 1; 2 when spec.storage.s3 is set). More than 1 needs spec.storage.s3: the filesystem catalog is one ReadWriteOnce volume.',
    },
    auth: {
      type: 'object',
      default: {},
      properties: {
        mode: {
          type: 'string',
          enum: ['kubernetes', 'proxy'],
          default: FURNACE_SPEC_DEFAULTS.authMode,
          description:
            'kubernetes: bearer tokens checked by TokenReview and SubjectAccessReview; proxy: an OpenShift oauth-proxy in the server pod.',
        },
      },
    },
    route: {
      type: 'object',
      description: 'OpenShift Route to the UI; enabled by default on OpenShift only.',
      properties: { enabled: { type: 'boolean' }, host: hostSchema },
    },
    ingress: {
      type: 'object',
      description: 'Ingress to the UI (off unless enabled).',
      properties: {
        enabled: { type: 'boolean' },
        host: hostSchema,
        className: { type: 'string', maxLength: 253 },
        tlsSecretName: { type: 'string', maxLength: 253 },
      },
    },
    trustedProxies: {
      type: 'array',
      maxItems: 64,
      description:
        "Addresses or CIDR ranges of the Route's router or the Ingress controller in front of the UI: the server believes X-Forwarded-For from these only, and budgets failed token reviews per client it names. Unset with a Route (OpenShift): the cluster network, where the router's connections come from. Unset otherwise: none (every user behind an Ingress shares one budget).",
      items: { type: 'string', maxLength: 64, pattern: '^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$' },
    },
    limits: {
      type: 'object',
      description: "The server's limits; unset keys keep the server's defaults.",
      properties: {
        ...limitValues,
        namespaces: {
          type: 'object',
          description: 'Per-namespace overrides (server key namespaceLimits.<namespace>.<limit>).',
          maxProperties: 1000,
          additionalProperties: { type: 'object', properties: limitValues },
        },
      },
    },
    catalog: {
      type: 'object',
      default: {},
      properties: {
        storageSize: {
          type: 'string',
          default: FURNACE_SPEC_DEFAULTS.catalogStorageSize,
          pattern: '^[0-9]+(\\.[0-9]+)?([KMGTPE]i?)?$',
          description: "Size of the catalog's PersistentVolumeClaim (a quantity).",
        },
        storageClassName: { type: 'string', maxLength: 253 },
      },
    },
    webhook: {
      type: 'object',
      default: {},
      properties: {
        failurePolicy: {
          type: 'string',
          enum: ['Ignore', 'Fail'],
          default: FURNACE_SPEC_DEFAULTS.webhookFailurePolicy,
          description: 'Ignore (default) never blocks pod creation when the webhook is down.',
        },
        namespaceSelector: labelSelectorSchema,
      },
    },
    sidecar: {
      type: 'object',
      properties: { resources: resourceRequirementsSchema },
    },
    agent: {
      type: 'object',
      default: {},
      properties: {
        enabled: {
          type: 'boolean',
          default: FURNACE_SPEC_DEFAULTS.agentEnabled,
          description: 'Run a recorder on every node (agent mode) besides injected sidecars.',
        },
        nodeSelector: stringMapSchema,
        tolerations: tolerationsSchema,
      },
    },
    storage: {
      type: 'object',
      description: 'Where artifacts live (docs/operator.md, "Storage"); the catalog volume by default.',
      properties: { s3: s3StorageSchema },
    },
    sinks: {
      type: 'array',
      maxItems: MAX_FURNACE_SINKS,
      description: 'Where finished recordings are pushed (docs/operator.md, "Sinks"); none by default.',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: sinkSchema,
    },
    symbols: furnaceSymbolsSchema,
  },
} as const satisfies SchemaOf<FurnaceSpec>;

export const furnaceStatusSchema = {
  type: 'object',
  properties: {
    observedGeneration: { type: 'integer', format: 'int64' },
    conditions: conditionsSchema,
    url: { type: 'string' },
  },
} as const satisfies SchemaOf<FurnaceStatus>;

export function buildFurnaceCrd(): CustomResourceDefinition {
  return customResourceDefinition({
    name: FURNACE_CRD_NAME,
    group: API_GROUP,
    version: API_VERSION,
    names: {
      kind: KIND_FURNACE,
      plural: FURNACE_PLURAL,
      singular: FURNACE_SINGULAR,
      listKind: `${KIND_FURNACE}List`,
    },
    description:
      'A Furnace installation: server, webhook, RBAC and recorders, in the namespace of this object.',
    spec: furnaceSpecSchema,
    status: furnaceStatusSchema,
    printerColumns: [
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'URL', type: 'string', jsonPath: '.status.url' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  });
}
