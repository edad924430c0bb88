// TEMPORARY: the Recording resource's types as contracts.md fixes them, until core/crds.ts (the deploy
// branch) lands; then this file re-exports from there or goes away. Nothing here is decided locally.
import { API_GROUP, API_VERSION, KIND_RECORDING } from '../../core/names.ts';

export const RECORDING_PLURAL = 'recordings';
export const RECORDING_API_VERSION = `${API_GROUP}/${API_VERSION}`;
export { KIND_RECORDING };

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface RecordingSpec {
  /** Exactly one of pod and selector (a CEL rule of the CRD). */
  target: { pod?: string; selector?: LabelSelector };
  container?: string;
  durationSeconds: number;
  frequency?: number;
  event?: string;
  symbols?: 'proc' | 'image';
  profiler?: 'perf' | 'pprof' | 'bpftrace' | 'auto';
  /** Five-field cron, UTC. */
  schedule?: string;
  /** Runs kept in status (default 5; with schedule only). */
  keep?: number;
}

export type RecordingPhase = 'Pending' | 'Recording' | 'Processing' | 'Succeeded' | 'Failed';

/** A pod's recording: sidecar states plus `pending` before it started. */
export type PodResultState = 'pending' | 'recording' | 'processing' | 'done' | 'failed';

/** Server paths of a recording's artifacts (relative to the server's user URL). */
export interface RecordingLinks {
  svg: string;
  html: string;
  folded: string;
  speedscope: string;
}

export interface PodResult {
  pod: string;
  recordingId?: string;
  state: PodResultState;
  samples?: number;
  message?: string;
  /** Present once the pod's recording has an id. */
  links?: RecordingLinks;
}

export interface TopFunction {
  name: string;
  /** Share of all samples in which the function itself was running (self time), 0..100. */
  percent: number;
}

export interface MergedResult {
  links: RecordingLinks;
  samples: number;
}

/** One finished run of a scheduled Recording. */
export interface RecordingRun {
  startTime: string;
  phase: RecordingPhase;
  message?: string;
  results: PodResult[];
  merged?: MergedResult;
  samples?: number;
  topFunctions?: TopFunction[];
}

export interface RecordingStatus {
  phase: RecordingPhase;
  observedGeneration?: number;
  message?: string;
  lastRunTime?: string;
  nextRunTime?: string;
  results?: PodResult[];
  merged?: MergedResult;
  samples?: number;
  topFunctions?: TopFunction[];
  /** Scheduled ones: the newest `keep` finished runs, newest first. */
  runs?: RecordingRun[];
}

export interface Recording {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    generation?: number;
    creationTimestamp?: string | Date;
    resourceVersion?: string;
  };
  spec: RecordingSpec;
  status?: RecordingStatus;
}
