// The two custom resources: names, spec and status types, and the release's default images.
// deploy/crds/*.yaml is generated from core/crd/ (the OpenAPI schemas, typed against these interfaces),
// so a field added here and not there fails the typecheck.
import type { V1LabelSelector, V1ResourceRequirements, V1Toleration } from '@kubernetes/client-node';
import { API_GROUP, API_GROUP_VERSION, KIND_FURNACE, KIND_RECORDING } from '../contract/names.ts';
import type { ProfileType } from '../contract/profile-types.ts';
import type { RecordingWatch, WatchStatus } from './recording-watch.ts';

export const FURNACE_PLURAL = 'furnaces';
export const FURNACE_SINGULAR = 'furnace';
export const FURNACE_CRD_NAME = `${FURNACE_PLURAL}.${API_GROUP}`;

export const RECORDING_PLURAL = 'recordings';
export const RECORDING_SINGULAR = 'recording';
export const RECORDING_CRD_NAME = `${RECORDING_PLURAL}.${API_GROUP}`;

/** Version of the images this release installs; the operator's own image carries the same tag. */
export const RELEASE_TAG = 'latest';

/**
 * The images a `Furnace` without `spec.images` installs. Not a schema default on purpose: a default is
 * stored in the object, so an operator upgrade would keep installing the old release's images.
 * The agent is the sidecar's program run on a node, from the same image.
 */
export const DEFAULT_IMAGES: Readonly<Required<FurnaceImages>> = {
  server: `quay.io/hyperfoil/furnace-server:${RELEASE_TAG}`,
  sidecar: `quay.io/hyperfoil/furnace-sidecar:${RELEASE_TAG}`,
  agent: `quay.io/hyperfoil/furnace-sidecar:${RELEASE_TAG}`,
};

// ---- Furnace --------------------------------------------------------------------------------------

export interface FurnaceImages {
  server?: string;
  sidecar?: string;
  agent?: string;
}

export type AuthMode = 'kubernetes' | 'proxy';

/** The server's `limits.*` keys an operator may set (maxConcurrentPerSidecar is fixed at 1). */
export interface FurnaceLimitValues {
  maxDurationSeconds?: number;
  maxFrequency?: number;
  maxConcurrentPerNamespace?: number;
  maxConcurrentPerCluster?: number;
  maxArtifactBytes?: number;
}

export interface FurnaceLimits extends FurnaceLimitValues {
  /** Per-namespace overrides: the server's `namespaceLimits.<namespace>.<limit>`. */
  namespaces?: Record<string, FurnaceLimitValues>;
}

/**
 * A sink of the server (its `sinks` setting, docs/server.md "Sinks"). Secrets are never in the spec:
 * `secretName` names a Secret in Furnace's namespace, mounted at /etc/furnace/sinks/<name>/, and the
 * `*Key` fields name entries of it.
 */
export interface FurnaceSink {
  name: string;
  type: 'otlp' | 'pyroscope';
  url: string;
  namespaces?: string[];
  recordings?: 'all' | 'named';
  /** Also push every continuous profiling window of its namespaces (default false). */
  continuous?: boolean;
  format?: 'pprof' | 'folded';
  tenant?: string;
  application?: string;
  timeoutSeconds?: number;
  secretName?: string;
  tls?: { caKey?: string; certKey?: string; keyKey?: string; serverName?: string };
  credentials?: { bearerTokenKey?: string; usernameKey?: string; passwordKey?: string };
}

export interface FurnaceSpec {
  images?: FurnaceImages;
  /** Server replicas: 1 by default, 2 when a bucket holds the catalog; more than 1 needs the bucket. */
  replicas?: number;
  auth?: { mode?: AuthMode };
  /** OpenShift Route; enabled by default on OpenShift only. */
  route?: { enabled?: boolean; host?: string };
  ingress?: { enabled?: boolean; host?: string; className?: string; tlsSecretName?: string };
  /**
   * Addresses or CIDR ranges of the Route's router or the Ingress controller, whose X-Forwarded-For the
   * server believes (its `ingress.trustedProxies`). Unset with a Route: the cluster network.
   */
  trustedProxies?: string[];
  limits?: FurnaceLimits;
  catalog?: { storageSize?: string; storageClassName?: string };
  webhook?: { failurePolicy?: 'Ignore' | 'Fail'; namespaceSelector?: V1LabelSelector };
  sidecar?: { resources?: V1ResourceRequirements };
  agent?: { enabled?: boolean; nodeSelector?: Record<string, string>; tolerations?: V1Toleration[] };
  /** Where finished recordings are pushed; none by default. */
  sinks?: FurnaceSink[];
  /** Where artifacts live: the catalog volume unless `s3` names a bucket (which lets replicas share it). */
  storage?: { s3?: FurnaceS3Storage };
  symbols?: FurnaceSymbols;
}

/** `spec.symbols`: what recorders use to name frames of stripped binaries. */
export interface FurnaceSymbols {
  /** debuginfod servers, in order: DEBUGINFOD_URLS of injected sidecars and node agents. */
  debuginfodUrls?: string[];
  /** CAs of private registries that injected sidecars trust when they pull images for `symbols: image`. */
  registryCas?: FurnaceRegistryCa[];
}

export interface FurnaceRegistryCa {
  /** host or host:port, as the image references name it. */
  registry: string;
  /** PEM certificates. */
  caBundle: string;
}

/** `spec.storage.s3`: the server's `storage.s3.*`, with the credentials from a Secret in Furnace's namespace. */
export interface FurnaceS3Storage {
  bucket: string;
  endpoint?: string;
  region?: string;
  prefix?: string;
  forcePathStyle?: boolean;
  /** A Secret in Furnace's namespace holding the keys; none: the S3 client's environment (web identity). */
  secretName?: string;
  /** Keys of that Secret (`accessKeyId`, `secretAccessKey` unless set). */
  accessKeyIdKey?: string;
  secretAccessKeyKey?: string;
}

/** `Accepted`: whether the operator acts on this Furnace at all (one per cluster, docs/operator.md). */
export const FURNACE_CONDITION_TYPES = ['Accepted', 'Ready', 'WebhookReady', 'CertificateReady'] as const;
export type FurnaceConditionType = (typeof FURNACE_CONDITION_TYPES)[number];

/** metav1.Condition, with the time as the RFC 3339 string the API server stores. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface FurnaceStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  /** Where users open the UI (Route, Ingress or the Service). */
  url?: string;
}

/** Values the API server fills in for `spec: {}` (schema defaults); the operator defaults the rest. */
export const FURNACE_SPEC_DEFAULTS = {
  authMode: 'kubernetes',
  catalogStorageSize: '10Gi',
  webhookFailurePolicy: 'Ignore',
  agentEnabled: false,
} as const;

// ---- Recording ------------------------------------------------------------------------------------

/**
 * Not bpftrace: the operator records as itself, so a Recording could not carry the permission a
 * bpftrace program needs (`create` on recordings/bpftrace) of the person who wrote it. `node` needs no
 * permission beyond a CPU recording's (the inspector runs only Furnace's own profiler calls).
 */
export const RECORDING_PROFILERS = ['perf', 'pprof', 'auto', 'node'] as const;
export type RecordingProfiler = (typeof RECORDING_PROFILERS)[number];

/** `Continuous`: a continuous Recording whose selection the server has (docs/continuous.md). */
export const RECORDING_PHASES = [
  'Pending',
  'Recording',
  'Processing',
  'Succeeded',
  'Failed',
  'Continuous',
] as const;
export type RecordingPhase = (typeof RECORDING_PHASES)[number];

export interface RecordingTarget {
  pod?: string;
  selector?: V1LabelSelector;
}

/**
 * `spec.continuous`: the Recording switches continuous profiling on for the pods of `target.selector`
 * (docs/continuous.md) instead of recording once or on a schedule. Switching it on needs `create` on
 * recordings/continuous, which the API server checks for the Recording's author (the admission policy of
 * core/crd/recording-admission.ts).
 */
export interface RecordingContinuous {
  /** Samples per second, 1 to 99; the server's `agent.continuous.frequency` when unset. */
  frequency?: number;
}

export interface RecordingSpec {
  /** Exactly one of pod and selector; a continuous Recording takes a selector only. */
  target: RecordingTarget;
  container?: string;
  /** 1 to 3600, required unless `continuous`; the server's own `limits.maxDurationSeconds` still applies. */
  durationSeconds?: number;
  /** Continuous profiling of the selected pods while the Recording exists. */
  continuous?: RecordingContinuous;
  /** 1 to 10000 Hz; unset means the server's default. */
  frequency?: number;
  event?: string;
  /** How perf walks the stacks: auto (the server's default), fp or dwarf. */
  callGraph?: 'auto' | 'fp' | 'dwarf';
  symbols?: 'proc' | 'image';
  profiler?: RecordingProfiler;
  /** What each recording measures (core/contract/profile-types.ts); unset means cpu. */
  profile?: ProfileType;
  /** Cron, five fields; the recording runs again at each time. */
  schedule?: string;
  /** Runs of a scheduled recording kept in the status (and the catalog); only with schedule. */
  keep?: number;
  /** Sinks of the Furnace installation, by name, that each recording is pushed to as well. */
  sinks?: string[];
  /** Follow a workload: record each new version of its pod template and compare it with the last. */
  watch?: RecordingWatch;
}

/** `keep` when a scheduled recording leaves it out (not a schema default: keep needs a schedule). */
export const DEFAULT_RECORDING_KEEP = 5;
export const RECORDING_DURATION_RANGE = { min: 1, max: 3600 } as const;
export const RECORDING_FREQUENCY_RANGE = { min: 1, max: 10_000 } as const;
export const RECORDING_KEEP_RANGE = { min: 1, max: 100 } as const;
export const TOP_FUNCTIONS_MAX = 10;

export type { RecordingLinks } from './recording-links.ts';
import type { RecordingLinks } from './recording-links.ts';

/** A pod's recording: the recorder's states, plus `pending` before it started. */
export const POD_RESULT_STATES = ['pending', 'recording', 'processing', 'done', 'failed'] as const;
export type PodResultState = (typeof POD_RESULT_STATES)[number];

export interface RecordingPodResult {
  pod: string;
  recordingId?: string;
  state: PodResultState;
  samples?: number;
  message?: string;
  /** Present once the pod's recording has an id (a pod refused before that has nothing to link to). */
  links?: RecordingLinks;
  /** The recording's push to each sink that takes it, as the catalog entry says. */
  deliveries?: SinkDeliveryView[];
}

/** A delivery as the Recording status shows it (core/sinks/delivery.ts). */
export interface SinkDeliveryView {
  sink: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError?: string;
}

export interface MergedResult {
  links: RecordingLinks;
  samples: number;
}

export interface TopFunction {
  name: string;
  /** Share of all samples in which the function itself was running (self time), 0..100. */
  percent: number;
}

/** One finished run of a scheduled Recording. */
export interface RecordingRun {
  startTime: string;
  phase: RecordingPhase;
  message?: string;
  results: RecordingPodResult[];
  merged?: MergedResult;
  samples?: number;
  topFunctions?: TopFunction[];
}

/** Where a continuous Recording's data is: server paths on the user listener. */
export interface ContinuousLinks {
  /** The UI's Continuous page for the namespace. */
  ui: string;
  /** The range query (folded stacks) of the namespace; add `&from=<ms>&to=<ms>`. */
  stacks: string;
}

/** What the status says of a continuous Recording while its selection is on. */
export interface ContinuousStatus {
  /** When the operator first switched the selection on. */
  since: string;
  /** The frequency the server keeps for the selection. */
  frequency: number;
  links: ContinuousLinks;
}

export interface RecordingStatus {
  phase: RecordingPhase;
  /** Continuous Recordings only. */
  continuous?: ContinuousStatus;
  observedGeneration?: number;
  message?: string;
  lastRunTime?: string;
  nextRunTime?: string;
  results?: RecordingPodResult[];
  /** When more than one pod was recorded. */
  merged?: MergedResult;
  samples?: number;
  /** TOP_FUNCTIONS_MAX at most. */
  topFunctions?: TopFunction[];
  /** Scheduled recordings: the newest `keep` runs. */
  runs?: RecordingRun[];
  /** Watching Recordings: the versions recorded and their comparisons. */
  watch?: WatchStatus;
  /** Watching Recordings: VersionRecorded and ProfileRegressed (core/crd/recording-watch.ts). */
  conditions?: Condition[];
}

// ---- Whole objects --------------------------------------------------------------------------------

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
}

export interface Furnace {
  apiVersion: typeof API_GROUP_VERSION;
  kind: typeof KIND_FURNACE;
  metadata: ObjectMeta;
  spec: FurnaceSpec;
  status?: FurnaceStatus;
}

export interface Recording {
  apiVersion: typeof API_GROUP_VERSION;
  kind: typeof KIND_RECORDING;
  metadata: ObjectMeta;
  spec: RecordingSpec;
  status?: RecordingStatus;
}
