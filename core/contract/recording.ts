// The shape of a recording as the sidecar reports it and the server catalogs it.
import type { SinkDelivery } from '../sinks/delivery.ts';
import { LIMIT_CEILINGS } from './limits.ts';
import { TIMESTAMP_PATTERN } from './param-fields.ts';
import { PROFILE_TYPES } from './profile-types.ts';
import { ARTIFACT_NAMES, type ArtifactName } from './names.ts';
import {
  CALL_GRAPHS,
  CALL_GRAPHS_RUN,
  EVENTS,
  MAX_CONTAINER_NAME,
  MAX_NOTE,
  MAX_PID,
  MAX_PROCESS_PATTERN,
  PROFILERS,
  PROFILERS_RUN,
  SYMBOL_SOURCES,
  bpftraceParamsSchema,
  pprofParamsSchema,
  sinksParamSchema,
  type CallGraphRun,
  type ProfilerName,
  type RecordingParams,
} from './recording-params.ts';

export const RECORDING_STATES = ['recording', 'processing', 'done', 'failed'] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];

export const RECORDING_STAGES = ['record', 'script', 'collapse', 'render', 'upload'] as const;
export type RecordingStage = (typeof RECORDING_STAGES)[number];

export interface RecordingStatus {
  id: string;
  state: RecordingState;
  /**
   * The stage it is at while recording or processing, and where it stopped when it failed; a done
   * recording has none (every stage is behind it).
   */
  stage?: RecordingStage;
  /** 0..1 over the whole recording, including processing. */
  progress: number;
  params: RecordingParams;
  /** The profiler that ran: params.profiler, or what `auto` chose. */
  profiler?: ProfilerName;
  /** Which processes were recorded: pid, command and the container they belong to. */
  targets: { pid: number; comm: string; container?: string }[];
  /** How perf walked the stacks: params.callGraph, or what `auto` chose (perf recordings only). */
  callGraphUsed?: CallGraphRun;
  /** Why that call graph: "nginx has no frame pointers", "as requested". */
  callGraphReason?: string;
  /**
   * When sampling began, or begins: a start with `startAt` in the future lists the recording at once, with
   * this time ahead, `startsAt` set and progress 0 until then.
   */
  startedAt: string;
  /**
   * Present only while a recording asked to start ahead (`startAt`) waits for its start: the same instant as
   * startedAt. Nothing has been sampled yet; elapsed time counts from here.
   */
  startsAt?: string;
  endedAt?: string;
  /** Set when state is `failed`; for perf failures, an excerpt of its stderr. */
  error?: string;
  /** Artifacts available so far. */
  artifacts: ArtifactName[];
  samples?: number;
  /** Things that went wrong without failing the recording (an upload that did not reach the server). */
  warnings?: string[];
  /** Why recording ended, in words: "duration reached (30 s)", "stopped by alice", "every target exited". */
  endReason?: string;
}

/** Catalog entry: a finished recording and where it came from. */
export interface CatalogEntry {
  id: string;
  namespace: string;
  pod: string;
  container?: string;
  state: RecordingState;
  params: RecordingParams;
  /** The profiler that ran (absent in entries from before profilers were a choice: perf). */
  profiler?: ProfilerName;
  startedAt: string;
  endedAt?: string;
  error?: string;
  samples?: number;
  artifacts: { name: ArtifactName; bytes: number }[];
  /**
   * Files the recorder says a done recording has that have not reached the catalog yet (its upload is under
   * way, or waits for the server to come back); absent once every one can be downloaded.
   */
  arriving?: ArtifactName[];
  /** What the sidecar warned about, as it said it: among them, each file the catalog did not keep and why. */
  warnings?: string[];
  /** Who started it through the server's proxy (the caller's user name); never taken from an upload. */
  startedBy?: string;
  /** Why recording ended, as the sidecar said it. */
  endReason?: string;
  /** Which processes were recorded (the status's targets, as the sidecar said them). */
  targets?: RecordingStatus['targets'];
  /** How perf walked the stacks and why, as the sidecar said it. */
  callGraphUsed?: CallGraphRun;
  callGraphReason?: string;
  /** Its push to each sink that takes it (the server's own record; never from an upload). */
  deliveries?: SinkDelivery[];
  /**
   * The workload this recording is the pinned baseline of, `<kind>/<name>` in its namespace (e.g.
   * `deployment/web`): later recordings of the workload are compared with it as well as with the one before
   * (docs/regressions.md). The server's own record, set by `PUT /api/v1/recordings/<id>/baseline`.
   */
  baselineOf?: string;
}

/** Recording ids: what the sidecar makes (a time and random suffix) and what paths and file names can hold. */
export const RECORDING_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$';

export function isFinished(recording: { state: RecordingState } | undefined): boolean {
  return recording?.state === 'done' || recording?.state === 'failed';
}

/** The shape of `RecordingParams` as it travels in a status: types, sizes and the ceilings of any limit. */
const paramsShapeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['durationSeconds', 'frequency', 'event', 'callGraph', 'symbols', 'systemWide'],
  properties: {
    durationSeconds: { type: 'integer', minimum: 1, maximum: LIMIT_CEILINGS.maxDurationSeconds },
    frequency: { type: 'integer', minimum: 1, maximum: LIMIT_CEILINGS.maxFrequency },
    event: { type: 'string', enum: [...EVENTS] },
    callGraph: { type: 'string', enum: [...CALL_GRAPHS] },
    container: { type: 'string', minLength: 1, maxLength: MAX_CONTAINER_NAME },
    processPattern: { type: 'string', minLength: 1, maxLength: MAX_PROCESS_PATTERN },
    pid: { type: 'integer', minimum: 1, maximum: MAX_PID },
    symbols: { type: 'string', enum: [...SYMBOL_SOURCES] },
    systemWide: { type: 'boolean' },
    profiler: { type: 'string', enum: [...PROFILERS] },
    profile: { type: 'string', enum: [...PROFILE_TYPES] },
    pprof: pprofParamsSchema(),
    bpftrace: bpftraceParamsSchema(),
    note: { type: 'string', minLength: 1, maxLength: MAX_NOTE },
    sinks: sinksParamSchema(),
    startAt: { type: 'string', maxLength: 40, pattern: TIMESTAMP_PATTERN },
  },
} as const;

export { TIMESTAMP_PATTERN } from './param-fields.ts';

const timestampSchema = { type: 'string', maxLength: 40, pattern: TIMESTAMP_PATTERN } as const;

/**
 * The JSON schema of `RecordingStatus`: the sidecar serializes its answers through it and the server
 * checks uploads against it. Every string and list has a cap.
 */
export const recordingStatusSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'state', 'progress', 'params', 'targets', 'startedAt', 'artifacts'],
  properties: {
    id: { type: 'string', pattern: RECORDING_ID_PATTERN },
    state: { type: 'string', enum: [...RECORDING_STATES] },
    stage: { type: 'string', enum: [...RECORDING_STAGES] },
    progress: { type: 'number', minimum: 0, maximum: 1 },
    params: paramsShapeSchema,
    profiler: { type: 'string', enum: [...PROFILERS_RUN] },
    targets: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['pid', 'comm'],
        properties: {
          pid: { type: 'integer', minimum: 1, maximum: MAX_PID },
          comm: { type: 'string', maxLength: 256 },
          container: { type: 'string', minLength: 1, maxLength: MAX_CONTAINER_NAME },
        },
      },
    },
    callGraphUsed: { type: 'string', enum: [...CALL_GRAPHS_RUN] },
    callGraphReason: { type: 'string', maxLength: 1024 },
    startedAt: timestampSchema,
    startsAt: timestampSchema,
    endedAt: timestampSchema,
    error: { type: 'string', maxLength: 16_384 },
    artifacts: {
      type: 'array',
      maxItems: ARTIFACT_NAMES.length,
      items: { type: 'string', enum: [...ARTIFACT_NAMES] },
    },
    samples: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    warnings: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 4096 } },
    endReason: { type: 'string', maxLength: 1024 },
  },
} as const;

export const recordingListSchema = {
  type: 'object',
  required: ['recordings'],
  properties: { recordings: { type: 'array', items: recordingStatusSchema } },
} as const;
