// The shape of a recording as the sidecar reports it and the server catalogs it.
import type { ArtifactName } from './names.ts';
import type { RecordingParams } from './limits.ts';

export const RECORDING_STATES = ['recording', 'processing', 'done', 'failed'] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];

export const RECORDING_STAGES = ['record', 'script', 'collapse', 'render', 'upload'] as const;
export type RecordingStage = (typeof RECORDING_STAGES)[number];

export interface RecordingStatus {
  id: string;
  state: RecordingState;
  stage: RecordingStage;
  /** 0..1 over the whole recording, including processing. */
  progress: number;
  params: RecordingParams;
  /** Which processes were recorded: pid, command and the container they belong to. */
  targets: { pid: number; comm: string; container?: string }[];
  startedAt: string;
  endedAt?: string;
  /** Set when state is `failed`; for perf failures, an excerpt of its stderr. */
  error?: string;
  /** Artifacts available so far. */
  artifacts: ArtifactName[];
  samples?: number;
  /** Things that went wrong without failing the recording (an upload that did not reach the server). */
  warnings?: string[];
}

/** Catalog entry: a finished recording and where it came from. */
export interface CatalogEntry {
  id: string;
  namespace: string;
  pod: string;
  container?: string;
  state: RecordingState;
  params: RecordingParams;
  startedAt: string;
  endedAt?: string;
  error?: string;
  samples?: number;
  artifacts: { name: ArtifactName; bytes: number }[];
}
