// JSON schemas of the sidecar API: request bodies and params are checked before a handler runs,
// responses are serialized through them.
import { CALL_GRAPHS, EVENTS, SYMBOL_SOURCES, type RecordingLimits } from '../core/limits.ts';
import { ARTIFACT_NAMES } from '../core/names.ts';
import { RECORDING_STAGES, RECORDING_STATES } from '../core/recording.ts';

export const MAX_PID = 4194304;

export function startBodySchema(limits: Readonly<RecordingLimits>): object {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      durationSeconds: { type: 'integer', minimum: 1, maximum: limits.maxDurationSeconds },
      frequency: { type: 'integer', minimum: 1, maximum: limits.maxFrequency },
      event: { type: 'string', enum: [...EVENTS] },
      callGraph: { type: 'string', enum: [...CALL_GRAPHS] },
      container: { type: 'string', minLength: 1, maxLength: 63 },
      processPattern: { type: 'string', minLength: 1, maxLength: 256 },
      pid: { type: 'integer', minimum: 1, maximum: MAX_PID },
      symbols: { type: 'string', enum: [...SYMBOL_SOURCES] },
      systemWide: { type: 'boolean' },
    },
  };
}

export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' } },
} as const;

export const artifactParamsSchema = {
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: idParamsSchema.properties.id,
    name: { type: 'string', enum: [...ARTIFACT_NAMES] },
  },
} as const;

const paramsSchema = {
  type: 'object',
  properties: {
    durationSeconds: { type: 'integer' },
    frequency: { type: 'integer' },
    event: { type: 'string' },
    callGraph: { type: 'string' },
    container: { type: 'string' },
    processPattern: { type: 'string' },
    pid: { type: 'integer' },
    symbols: { type: 'string' },
    systemWide: { type: 'boolean' },
  },
} as const;

export const recordingStatusSchema = {
  type: 'object',
  required: ['id', 'state', 'stage', 'progress', 'params', 'targets', 'startedAt', 'artifacts'],
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: [...RECORDING_STATES] },
    stage: { type: 'string', enum: [...RECORDING_STAGES] },
    progress: { type: 'number' },
    params: paramsSchema,
    targets: {
      type: 'array',
      items: {
        type: 'object',
        properties: { pid: { type: 'integer' }, comm: { type: 'string' }, container: { type: 'string' } },
      },
    },
    startedAt: { type: 'string' },
    endedAt: { type: 'string' },
    error: { type: 'string' },
    artifacts: { type: 'array', items: { type: 'string' } },
    samples: { type: 'integer' },
    warnings: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const recordingListSchema = {
  type: 'object',
  required: ['recordings'],
  properties: { recordings: { type: 'array', items: recordingStatusSchema } },
} as const;

export const errorBodySchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

export const healthSchema = {
  type: 'object',
  properties: { status: { type: 'string' }, registered: { type: 'boolean' } },
} as const;
