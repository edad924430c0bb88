// JSON schemas of the catalog's entries (uploads are checked against core's recordingStatusSchema).

const paramsSchema = { type: 'object', additionalProperties: true } as const;

export const catalogEntrySchema = {
  type: 'object',
  required: ['id', 'namespace', 'pod', 'state', 'params', 'startedAt', 'artifacts'],
  properties: {
    id: { type: 'string' },
    namespace: { type: 'string' },
    pod: { type: 'string' },
    container: { type: 'string' },
    state: { type: 'string' },
    params: paramsSchema,
    startedAt: { type: 'string' },
    endedAt: { type: 'string' },
    error: { type: 'string' },
    samples: { type: 'integer' },
    profiler: { type: 'string' },
    callGraphUsed: { type: 'string' },
    callGraphReason: { type: 'string' },
    startedBy: { type: 'string' },
    warnings: { type: 'array', items: { type: 'string' } },
    endReason: { type: 'string' },
    targets: {
      type: 'array',
      items: {
        type: 'object',
        properties: { pid: { type: 'integer' }, comm: { type: 'string' }, container: { type: 'string' } },
      },
    },
    artifacts: {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, bytes: { type: 'integer' } } },
    },
    baselineOf: { type: 'string' },
    deliveries: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          sink: { type: 'string' },
          state: { type: 'string' },
          attempts: { type: 'integer' },
          lastError: { type: 'string' },
          updatedAt: { type: 'string' },
          nextAttemptAt: { type: 'string' },
        },
      },
    },
  },
} as const;

export const catalogPageSchema = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: catalogEntrySchema }, continue: { type: 'string' } },
} as const;
