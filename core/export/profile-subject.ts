// What an exported profile (pprof, OTLP) says about its recording: whose it is (namespace, pod, container,
// owning workload) and when it ran at which frequency, and the names each format gives those facts: pprof
// labels as Pyroscope and Parca read them, OpenTelemetry resource attributes by the semantic conventions.
// Pure.

/** Whose profile it is; each part only when known. */
export interface ProfileSubject {
  namespace?: string;
  pod?: string;
  container?: string;
  /** The owning workload (a Deployment, StatefulSet, DaemonSet, Job): pprof `service_name`, OTel `service.name`. */
  service?: string;
  /** The node it ran on (continuous windows). */
  node?: string;
  /**
   * A rollout watch's verdict on the version this recording is of (`regressed`, `improved`, `unchanged`,
   * `not-comparable`; docs/rollout-watch.md): pprof `furnace_regression`, OTel `furnace.regression`.
   */
  regression?: string;
}

export interface ProfileExportMeta {
  /** Sampling frequency in Hz; a sample then stands for 1/frequency of CPU time. */
  frequency: number;
  /** When the recording started (ms since the epoch) and how long it ran (ms). */
  startedAtMs: number;
  durationMs: number;
  subject: ProfileSubject;
  /** What the stacks' values are when they are not samples (off-CPU, wall: nanoseconds); see write-pprof.ts. */
  valueType?: { type: string; unit: string };
}

/** Go's CPU profiler samples at 100 Hz, whatever frequency a pprof recording names. */
const GO_CPU_PROFILE_HZ = 100;

/** The frequency a recording's samples were taken at: its own, but Go's for a pprof recording. */
export function samplingFrequency(profiler: string | undefined, frequency: number): number {
  return profiler === 'pprof' ? GO_CPU_PROFILE_HZ : frequency;
}

const PPROF_LABELS: Readonly<Record<keyof ProfileSubject, string>> = {
  namespace: 'namespace',
  pod: 'pod',
  container: 'container',
  service: 'service_name',
  node: 'node',
  regression: 'furnace_regression',
};

const OTEL_ATTRIBUTES: Readonly<Record<keyof ProfileSubject, string>> = {
  namespace: 'k8s.namespace.name',
  pod: 'k8s.pod.name',
  container: 'k8s.container.name',
  service: 'service.name',
  node: 'k8s.node.name',
  regression: 'furnace.regression',
};

function named(subject: ProfileSubject, names: Readonly<Record<keyof ProfileSubject, string>>) {
  const out: Record<string, string> = {};
  for (const key of ['namespace', 'pod', 'container', 'service', 'node', 'regression'] as const) {
    const value = subject[key];
    if (value !== undefined && value !== '') out[names[key]] = value;
  }
  return out;
}

/** `namespace`, `pod`, `container`, `service_name` (and `node`): the labels put on every pprof sample. */
export function pprofLabels(subject: ProfileSubject): Record<string, string> {
  return named(subject, PPROF_LABELS);
}

/** `k8s.namespace.name`, `k8s.pod.name`, `k8s.container.name`, `service.name` (and `k8s.node.name`): the OTLP resource's attributes. */
export function otelResourceAttributes(subject: ProfileSubject): Record<string, string> {
  return named(subject, OTEL_ATTRIBUTES);
}

// Kubernetes makes generated names from this alphabet (no vowels, no 0, 1, 3): the 5-character suffix of
// generateName and a ReplicaSet's pod-template-hash.
const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{6,10}-${SAFE}{5}$`);
const STATEFUL_SET_POD = /^(.+)-(0|[1-9][0-9]{0,5})$/;
const GENERATED_POD = new RegExp(`^(.+)-${SAFE}{5}$`);

/**
 * The workload that owns a pod, read from the name its controller gave it: `web-7d9f8c6b5-x2k4q` is
 * Deployment `web`, `db-0` StatefulSet `db`, `agent-x2k4q` DaemonSet or Job `agent`. A name of no such
 * form (a pod made by hand, local mode's host name) has no known workload: undefined.
 */
export function owningWorkload(podName: string): string | undefined {
  for (const form of [DEPLOYMENT_POD, STATEFUL_SET_POD, GENERATED_POD]) {
    const match = form.exec(podName);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}
