// `Furnace.spec.sinks`: where the server pushes finished recordings (OTLP or Pyroscope), and the Secret
// entries that hold a sink's TLS files and credentials.
import { PYROSCOPE_FORMATS, SINK_NAME_PATTERN, SINK_RECORDINGS, SINK_TYPES } from '../sinks/sink.ts';
import type { FurnaceSink } from './resources.ts';
import type { SchemaOf } from './schema-types.ts';

/** The name of an entry of the sink's Secret. */
export const secretKey = { type: 'string', maxLength: 253, pattern: '^[-._a-zA-Z0-9]+$' } as const;

/** Sinks in the Furnace spec, at most this many. */
export const MAX_FURNACE_SINKS = 16;

export const sinkSchema = {
  type: 'object',
  required: ['name', 'type', 'url'],
  'x-kubernetes-validations': [
    {
      rule: 'has(self.secretName) || (!has(self.credentials) && (!has(self.tls) || !(has(self.tls.caKey) || has(self.tls.certKey) || has(self.tls.keyKey))))',
      message: 'tls.*Key and credentials name entries of secretName: set secretName',
    },
    {
      rule: "self.type == 'pyroscope' || !(has(self.format) || has(self.tenant) || has(self.application))",
      message: 'format, tenant and application are for pyroscope sinks only',
    },
  ],
  properties: {
    name: {
      type: 'string',
      maxLength: 63,
      pattern: SINK_NAME_PATTERN,
      description: 'What recordings (spec.sinks of a Recording), metrics and delivery states call the sink.',
    },
    type: {
      type: 'string',
      enum: SINK_TYPES,
      description: 'otlp: OTLP/HTTP profiles; pyroscope: its /ingest API.',
    },
    url: {
      type: 'string',
      maxLength: 2048,
      pattern: '^https?://[^/?#@\\s]+(/[^?#\\s]*)?$',
      description: 'Base URL: otlp appends /v1development/profiles, pyroscope /ingest.',
    },
    namespaces: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'string', maxLength: 63 },
      description: 'Namespaces whose recordings the sink takes; every namespace when unset.',
    },
    recordings: {
      type: 'string',
      enum: SINK_RECORDINGS,
      description:
        'all (default): every finished recording of its namespaces; named: only those that name it.',
    },
    continuous: {
      type: 'boolean',
      description:
        'Also push every continuous profiling window (15 s per pod and container) of its namespaces; false by default.',
    },
    format: { type: 'string', enum: PYROSCOPE_FORMATS, description: 'pyroscope: pprof (default) or folded.' },
    tenant: {
      type: 'string',
      maxLength: 256,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'pyroscope: X-Scope-OrgID.',
    },
    application: {
      type: 'string',
      maxLength: 253,
      description: "pyroscope: the application name; the pod's workload when unset.",
    },
    timeoutSeconds: {
      type: 'integer',
      minimum: 1,
      maximum: 600,
      description: 'Longest push, seconds (30 when unset).',
    },
    secretName: {
      type: 'string',
      maxLength: 253,
      description: "A Secret in Furnace's namespace, mounted at /etc/furnace/sinks/<name>/ in the server.",
    },
    tls: {
      type: 'object',
      properties: {
        caKey: { ...secretKey, description: 'Entry of secretName with the PEM CA of the sink.' },
        certKey: { ...secretKey, description: 'Entry with a PEM client certificate (mutual TLS).' },
        keyKey: { ...secretKey, description: 'Entry with its key.' },
        serverName: {
          type: 'string',
          maxLength: 253,
          description: "The name the sink's certificate must carry.",
        },
      },
    },
    credentials: {
      type: 'object',
      description: 'Either bearerTokenKey, or usernameKey and passwordKey (basic auth); https URLs only.',
      properties: {
        bearerTokenKey: secretKey,
        usernameKey: secretKey,
        passwordKey: secretKey,
      },
    },
  },
} as const satisfies SchemaOf<FurnaceSink>;
