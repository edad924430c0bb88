// A Recording's rollout watch (`spec.watch`): the workload it follows, and what the status says of the versions
// it recorded and how each compared with the one before (docs/rollout-watch.md).
import type { RecordingLinks } from './recording-links.ts';

/** The kinds of workload a Recording can follow; DeploymentConfig is OpenShift's (apps.openshift.io/v1). */
export const WATCH_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'DeploymentConfig'] as const;
export type WatchKind = (typeof WATCH_KINDS)[number];

export const WATCH_SETTLE_RANGE = { min: 0, max: 3600 } as const;
export const WATCH_READY_TIMEOUT_RANGE = { min: 30, max: 86_400 } as const;
export const DEFAULT_WATCH_SETTLE_SECONDS = 30;
export const DEFAULT_WATCH_READY_TIMEOUT_SECONDS = 600;
/** Versions the status keeps (and whose catalog recordings are kept); older ones are deleted. */
export const WATCH_VERSIONS_KEPT = 3;
/** Comparisons the status keeps, newest first. */
export const WATCH_COMPARISONS_KEPT = 10;
/** Changed functions a comparison names (in the status, the Event and the metrics). */
export const WATCH_TOP_CHANGES = 5;

export interface RecordingWatch {
  kind: WatchKind;
  /** The workload's name, in the Recording's namespace. */
  name: string;
  /** Seconds after the last new pod became Ready before the new version is recorded; 30 when unset. */
  settleSeconds?: number;
  /** Seconds a new version's pods may take to be Ready before the watch says they never were; 600 when unset. */
  readyTimeoutSeconds?: number;
}

/** One recorded version of the workload: its pod template's hash and the catalog recordings of its pods. */
export interface WatchVersion {
  /** sha256 of the pod template, first 16 hex digits. */
  version: string;
  /** When the run that recorded it began. */
  recordedAt: string;
  /** Sorted by pod. */
  recordings: { pod: string; recordingId: string }[];
  samples: number;
}

export const CHANGE_DIRECTIONS = ['regressed', 'improved'] as const;

/** A function whose share of the samples changed significantly between two versions, in percent of all samples. */
export interface FunctionChange {
  name: string;
  direction: (typeof CHANGE_DIRECTIONS)[number];
  /** Self share before and after, 0..100. */
  before: number;
  after: number;
}

/** `not-comparable`: too few samples on a side, or the functions did not match by name. */
export const COMPARISON_VERDICTS = ['regressed', 'improved', 'unchanged', 'not-comparable'] as const;
export type ComparisonVerdict = (typeof COMPARISON_VERDICTS)[number];

/** What a version was compared with: the version before it, or the recording pinned as the workload's baseline. */
export const COMPARISON_AGAINST = ['previous', 'baseline'] as const;
export type ComparisonAgainst = (typeof COMPARISON_AGAINST)[number];

export interface WatchComparison {
  /** `previous` when unset (comparisons written before the field). */
  against?: ComparisonAgainst;
  /** The version before (against `previous`), or the pinned recording's catalog id (against `baseline`). */
  from: string;
  to: string;
  verdict: ComparisonVerdict;
  comparedAt: string;
  /** Samples of each side. */
  samples: { before: number; after: number };
  /** Why a comparison is `not-comparable` (too-few-samples-before, functions-not-matched, ...). */
  reasons?: string[];
  /** Functions with a share of minEffect or more on one side only (inlined, renamed, new or gone). */
  notComparable?: string[];
  changes: FunctionChange[];
  /** The UI's comparison page and the two merged graphs' artifacts. */
  links: { ui: string; before: RecordingLinks; after: RecordingLinks };
}

export interface WatchStatus {
  /** The template the workload has now, and since when the watch has seen it. */
  current?: { version: string; seenAt: string; readyAt?: string };
  /** The version the run in progress (or the last run) records. */
  recording?: string;
  /** Newest first, WATCH_VERSIONS_KEPT at most. */
  versions?: WatchVersion[];
  /** Newest first, WATCH_COMPARISONS_KEPT at most. */
  comparisons?: WatchComparison[];
  /** Comparisons with the version before flagged since the Recording was created, by verdict (only ever grows). */
  flags?: { regressed: number; improved: number };
  /** The same for comparisons with the pinned baseline. */
  baselineFlags?: { regressed: number; improved: number };
}

/** Condition types of a watching Recording. */
export const WATCH_CONDITIONS = {
  /** True once the workload's current version is recorded; False with why not (NewPodsNotReady, ...). */
  versionRecorded: 'VersionRecorded',
  /** True when the last comparison flagged a function as more expensive. */
  regressed: 'ProfileRegressed',
} as const;

/** Event reasons (on the Recording and on the workload). */
export const WATCH_EVENT_REASONS = {
  regressed: 'ProfileRegressed',
  improved: 'ProfileImproved',
  notReady: 'NewPodsNotReady',
} as const;
