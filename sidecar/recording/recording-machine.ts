// The recording state machine, pure: idle → recording → processing (script, collapse, render, upload) → done | failed.
import { FurnaceError } from '../../core/contract/errors.ts';
import type { CallGraphRun, ProfilerName, RecordingParams } from '../../core/contract/recording-params.ts';
import {
  RECORDING_STAGES,
  type RecordingStage,
  type RecordingStatus,
} from '../../core/contract/recording.ts';
import type { RecordingEvent } from '../recording-events.ts';

/** Share of the overall progress each stage accounts for. */
export const STAGE_WEIGHTS: Readonly<Record<RecordingStage, number>> = {
  record: 0.7,
  script: 0.1,
  collapse: 0.05,
  render: 0.05,
  upload: 0.1,
};

/**
 * What the status alone decides; `warnings` (replacing a kind's warnings) needs to know which those are, which
 * the recorder keeps beside the status (warning-kinds.ts).
 */
export type StatusEvent = Exclude<RecordingEvent, { type: 'warnings' }>;

export class TransitionError extends Error {
  constructor(status: RecordingStatus, event: RecordingEvent) {
    super(
      `recording ${status.id}: ${event.type} is not allowed while ${status.state} (${status.stage ?? 'no stage'})`,
    );
    this.name = 'TransitionError';
  }
}

export function isActive(status: RecordingStatus): boolean {
  return status.state === 'recording' || status.state === 'processing';
}

/** The sidecar is idle when no recording is active; otherwise a start is refused naming the running one. */
export function assertIdle(recordings: readonly RecordingStatus[]): void {
  const running = recordings.find(isActive);
  if (running !== undefined) {
    throw new FurnaceError('ERR_RECORDING_RUNNING', `recording ${running.id} is still ${running.state}`, {
      id: running.id,
      state: running.state,
      stage: running.stage,
    });
  }
}

export function beginRecording(input: {
  id: string;
  params: RecordingParams;
  /** The profiler that runs (auto resolved); perf when not given. */
  profiler?: ProfilerName;
  targets: RecordingStatus['targets'];
  /** How perf walks the stacks and why (perf recordings). */
  callGraph?: { used: CallGraphRun; reason: string };
  now: Date;
}): RecordingStatus {
  const callGraph = input.callGraph;
  return {
    id: input.id,
    state: 'recording',
    stage: 'record',
    progress: 0,
    params: input.params,
    profiler: input.profiler ?? 'perf',
    targets: input.targets,
    ...(callGraph === undefined ? {} : { callGraphUsed: callGraph.used, callGraphReason: callGraph.reason }),
    startedAt: samplingStart(input.params, input.now).toISOString(),
    artifacts: [],
  };
}

/** When sampling begins: the start's `startAt` when it is ahead, else now (a past one means now). */
export function samplingStart(params: Pick<RecordingParams, 'startAt'>, now: Date): Date {
  const at = params.startAt === undefined ? Number.NaN : Date.parse(params.startAt);
  return at > now.getTime() ? new Date(at) : now;
}

function stageStart(stage: RecordingStage): number {
  let start = 0;
  for (const s of RECORDING_STAGES) {
    if (s === stage) return start;
    start += STAGE_WEIGHTS[s];
  }
  return start;
}

/** Overall progress for a fraction (0..1) of the given stage. */
export function overallProgress(stage: RecordingStage, fraction: number): number {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  return Math.round((stageStart(stage) + clamped * STAGE_WEIGHTS[stage]) * 1000) / 1000;
}

function enterStage(status: RecordingStatus, stage: RecordingStage, event: StatusEvent): RecordingStatus {
  const current = status.stage === undefined ? -1 : RECORDING_STAGES.indexOf(status.stage);
  if (!isActive(status) || RECORDING_STAGES.indexOf(stage) <= current) {
    throw new TransitionError(status, event);
  }
  return { ...status, state: 'processing', stage, progress: overallProgress(stage, 0) };
}

type Annotation = Extract<StatusEvent, { type: 'samples' | 'warning' | 'ended' | 'clear-upload-failure' }>;

/** What any state takes: the sample count, a warning, why recording ended, an upload failure cleared. */
function annotate(status: RecordingStatus, event: Annotation): RecordingStatus {
  switch (event.type) {
    case 'samples':
      return { ...status, samples: event.samples };
    case 'warning':
      return { ...status, warnings: [...(status.warnings ?? []), event.message] };
    case 'ended':
      return { ...status, endReason: event.reason };
    case 'clear-upload-failure':
      return withoutUploadFailure(status);
  }
}

/** Applies one event; an event that the current state does not allow throws TransitionError. */
export function applyEvent(status: RecordingStatus, event: StatusEvent): RecordingStatus {
  switch (event.type) {
    case 'stage':
      return enterStage(status, event.stage, event);
    case 'progress': {
      if (!isActive(status)) throw new TransitionError(status, event);
      const progress = overallProgress(status.stage ?? 'record', event.fraction);
      return progress > status.progress ? { ...status, progress } : status;
    }
    case 'artifact':
      if (status.state === 'failed') throw new TransitionError(status, event);
      return status.artifacts.includes(event.name)
        ? status
        : { ...status, artifacts: [...status.artifacts, event.name] };
    case 'done': {
      if (status.state !== 'processing') throw new TransitionError(status, event);
      // Every stage is behind a done recording: it names none (a failed one keeps where it stopped).
      const { stage: _finished, ...rest } = status;
      return { ...rest, state: 'done', progress: 1, endedAt: event.at.toISOString() };
    }
    case 'sampling':
      // Only while recording: a stop that came first keeps the end's own dates.
      if (status.state !== 'recording') throw new TransitionError(status, event);
      return { ...status, startedAt: event.at.toISOString() };
    case 'failed':
      if (!isActive(status)) throw new TransitionError(status, event);
      return { ...status, state: 'failed', error: event.error, endedAt: event.at.toISOString() };
    default:
      return annotate(status, event);
  }
}

/** The warning an upload that did not reach the server leaves; it goes once the catalog takes the recording. */
export const UPLOAD_FAILED = 'upload to the server failed';

export function withoutUploadFailure(status: RecordingStatus): RecordingStatus {
  const warnings = (status.warnings ?? []).filter((w) => !w.startsWith(UPLOAD_FAILED));
  const { warnings: _dropped, ...rest } = status;
  return warnings.length > 0 ? { ...rest, warnings } : rest;
}

/**
 * Progress of the record stage from the clock: elapsed time over the requested duration. A recording that
 * waits for its start (startedAt ahead) says so with `startsAt`, at progress 0.
 */
export function withLiveProgress(given: RecordingStatus, now: Date): RecordingStatus {
  const { startsAt: _derived, ...status } = given;
  if (status.state !== 'recording') return status;
  const elapsed = (now.getTime() - Date.parse(status.startedAt)) / 1000;
  if (elapsed < 0) return { ...status, startsAt: status.startedAt };
  return applyEvent(status, { type: 'progress', fraction: elapsed / status.params.durationSeconds });
}
