// What the assistant accepts from Furnace before it shows any of it: each answer it reads is checked
// against a schema of the fields it uses, with every string and list capped; an answer that fails is an
// error naming the field, never passed on. Statuses use core's own recordingStatusSchema.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { WORKLOAD_PATTERN } from '../../core/compare/baseline-workload.ts';
import { ARTIFACT_NAMES } from '../../core/contract/names.ts';
import { PROFILE_TYPES, type ProfileType } from '../../core/contract/profile-types.ts';
import {
  RECORDING_ID_PATTERN,
  RECORDING_STATES,
  recordingStatusSchema,
  type RecordingStatus,
} from '../../core/contract/recording.ts';
import { processMatchesSchema, type ProcessMatches } from '../../core/contract/processes.ts';
import { MAX_CONTAINER_NAME, MAX_PID } from '../../core/contract/recording-params.ts';

/** Namespaces and pods as Kubernetes names them (a local pod is the machine's host name). */
export const OBJECT_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$';

const name = { type: 'string', pattern: OBJECT_NAME_PATTERN } as const;
const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const count = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

const entrySchema = {
  type: 'object',
  required: ['id', 'namespace', 'pod', 'state', 'params', 'startedAt', 'artifacts'],
  properties: {
    id: { type: 'string', pattern: RECORDING_ID_PATTERN },
    namespace: name,
    pod: name,
    container: text(MAX_CONTAINER_NAME),
    state: { type: 'string', enum: [...RECORDING_STATES] },
    params: {
      type: 'object',
      properties: {
        profile: { type: 'string', enum: [...PROFILE_TYPES] },
        durationSeconds: count,
        frequency: count,
      },
    },
    startedAt: text(40),
    endedAt: text(40),
    error: text(16_384),
    samples: count,
    startedBy: text(1024),
    warnings: { type: 'array', maxItems: 50, items: text(4096) },
    endReason: text(1024),
    targets: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['pid', 'comm'],
        properties: {
          pid: { type: 'integer', minimum: 1, maximum: MAX_PID },
          comm: text(256),
          container: text(MAX_CONTAINER_NAME),
        },
      },
    },
    artifacts: {
      type: 'array',
      maxItems: ARTIFACT_NAMES.length,
      items: {
        type: 'object',
        required: ['name', 'bytes'],
        properties: { name: { type: 'string', enum: [...ARTIFACT_NAMES] }, bytes: count },
      },
    },
  },
} as const;

const pageSchema = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', maxItems: 1000, items: entrySchema }, continue: text(4096) },
} as const;

const podsSchema = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      maxItems: 100_000,
      items: {
        type: 'object',
        required: ['namespace', 'pod'],
        properties: { namespace: name, pod: name, mode: { type: 'string', enum: ['sidecar', 'agent'] } },
      },
    },
  },
} as const;

const containersSchema = {
  type: 'object',
  required: ['containers'],
  properties: { containers: { type: 'array', maxItems: 100, items: text(MAX_CONTAINER_NAME) } },
} as const;

/**
 * The part of the server's regression answer (`…/recordings/<id>/regression`) the assistant uses: which
 * earlier recordings of the workload it names (the one before, the pinned baseline), not its numbers.
 */
const regressionSchema = {
  type: 'object',
  required: ['id', 'comparisons'],
  properties: {
    id: { type: 'string', pattern: RECORDING_ID_PATTERN },
    workload: { type: 'string', maxLength: 320, pattern: WORKLOAD_PATTERN },
    comparisons: {
      type: 'array',
      maxItems: 3,
      items: {
        type: 'object',
        required: ['kind', 'against'],
        properties: {
          kind: { type: 'string', enum: ['previous', 'baseline', 'chosen'] },
          against: { type: 'string', pattern: RECORDING_ID_PATTERN },
        },
      },
    },
  },
} as const;

export interface RegressionView {
  id: string;
  workload?: string;
  comparisons: { kind: 'previous' | 'baseline' | 'chosen'; against: string }[];
}

/** A catalog entry as the assistant reads it. */
export interface EntryView {
  id: string;
  namespace: string;
  pod: string;
  container?: string;
  state: RecordingStatus['state'];
  params: { profile?: ProfileType; durationSeconds?: number; frequency?: number };
  startedAt: string;
  endedAt?: string;
  error?: string;
  samples?: number;
  startedBy?: string;
  warnings?: string[];
  endReason?: string;
  targets?: { pid: number; comm: string; container?: string }[];
  artifacts: { name: (typeof ARTIFACT_NAMES)[number]; bytes: number }[];
}

export interface PodView {
  namespace: string;
  pod: string;
  mode?: 'sidecar' | 'agent';
}

const ajv = new Ajv({ allErrors: false, strict: false });
const CHECKS = {
  entry: ajv.compile<EntryView>(entrySchema),
  page: ajv.compile<{ items: EntryView[]; continue?: string }>(pageSchema),
  pods: ajv.compile<{ items: PodView[] }>(podsSchema),
  containers: ajv.compile<{ containers: string[] }>(containersSchema),
  processes: ajv.compile<ProcessMatches>(processMatchesSchema),
  status: ajv.compile<RecordingStatus>(recordingStatusSchema),
  regression: ajv.compile<RegressionView>(regressionSchema),
};

export class InvalidAnswerError extends Error {
  readonly code = 'ERR_INVALID_ANSWER';
  constructor(what: string, error: ErrorObject | undefined) {
    const where = error?.instancePath || 'the answer';
    super(`Furnace's answer to ${what} was refused: ${where} ${error?.message ?? 'is not valid'}`);
    this.name = 'InvalidAnswerError';
  }
}

/** `value` if it meets the schema of `kind`; else InvalidAnswerError naming the first field that does not. */
export function checked<K extends keyof typeof CHECKS>(
  kind: K,
  value: unknown,
  what: string,
): (typeof CHECKS)[K] extends ValidateFunction<infer T> ? T : never {
  const check = CHECKS[kind] as ValidateFunction;
  if (!check(value)) throw new InvalidAnswerError(what, check.errors?.[0]);
  return value as (typeof CHECKS)[K] extends ValidateFunction<infer T> ? T : never;
}
