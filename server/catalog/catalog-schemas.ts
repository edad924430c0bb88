// JSON schemas of catalog bodies: the sidecar's RecordingStatus and the catalog's entries.
import { ARTIFACT_NAMES } from '../../core/names.ts';
import { RECORDING_STAGES, RECORDING_STATES } from '../../core/recording.ts';

const paramsSchema = { type: 'object', additionalProperties: true } as const;

export const recordingStatusSchema = {
  type: 'object',
  required: ['id', 'state', 'params', 'startedAt'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 128 },
    state: { type: 'string', enum: [...RECORDING_STATES] },
    stage: { type: 'string', enum: [...RECORDING_STAGES] },
    progress: { type: 'number', minimum: 0, maximum: 1 },
    params: paramsSchema,
    targets: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        properties: { pid: { type: 'integer' }, comm: { type: 'string' }, container: { type: 'string' } },
      },
      default: [],
    },
    startedAt: { type: 'string', minLength: 1, maxLength: 64 },
    endedAt: { type: 'string', maxLength: 64 },
    error: { type: 'string', maxLength: 16384 },
    artifacts: { type: 'array', items: { type: 'string', enum: [...ARTIFACT_NAMES] }, default: [] },
    samples: { type: 'integer', minimum: 0 },
  },
} as const;

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
    artifacts: {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, bytes: { type: 'integer' } } },
    },
  },
} as const;

export const catalogPageSchema = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: catalogEntrySchema }, continue: { type: 'string' } },
} as const;
