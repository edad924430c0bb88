// JSON schemas of the sidecar's own routes; the recording contracts (start parameters, status, errors)
// come from core/ and are shared with the server.
import { ARTIFACT_NAMES } from '../../core/contract/names.ts';
import { RECORDING_ID_PATTERN } from '../../core/contract/recording.ts';

export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: RECORDING_ID_PATTERN } },
} as const;

export const artifactParamsSchema = {
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: idParamsSchema.properties.id,
    name: { type: 'string', enum: [...ARTIFACT_NAMES] },
  },
} as const;

/** `?wait=true`: the read waits until the recording lists the artifact or ends (artifact-waits.ts). */
export const artifactQuerySchema = {
  type: 'object',
  properties: { wait: { type: 'string', enum: ['true'] } },
  additionalProperties: false,
} as const;

export const healthSchema = {
  type: 'object',
  properties: { status: { type: 'string' }, registered: { type: 'boolean' } },
} as const;
