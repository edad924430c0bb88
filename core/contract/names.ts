// Names shared by the webhook, server, sidecar, operator, CLI and tests. Change them here only.

export const API_GROUP = 'furnace.hyperfoil.io';
export const API_VERSION = 'v1alpha1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;
export const KIND_FURNACE = 'Furnace';
export const KIND_RECORDING = 'Recording';
/** Resource that user authorization (SubjectAccessReview) is checked against. */
export const RECORDINGS_RESOURCE = 'recordings';

/** Namespace label that opts a namespace in. */
export const NAMESPACE_LABEL = 'furnace';
export const NAMESPACE_LABEL_VALUE = 'enabled';
/** Pod label or annotation that opts a pod in; the value is one of OPT_IN_VALUES, any case. */
export const POD_OPT_IN_KEY = 'furnace';
export const OPT_IN_VALUES: readonly string[] = ['enabled', 'enable', 'true', 'yes'];
/** Values of the same label or annotation that opt a pod out explicitly (any case); an opt-out wins. */
export const OPT_OUT_VALUES: readonly string[] = ['disabled', 'disable', 'false', 'no', 'off'];

export const SIDECAR_CONTAINER_NAME = 'furnace';
export const SIDECAR_PORT = 12380;
/** The sidecar API over HTTPS, with a key the server pins at registration (core/tls-pin.ts). */
export const SIDECAR_TLS_PORT = 12381;
export const SIDECAR_PORT_NAME = 'furnace';
/** The node agent's API over HTTPS on its pod IP, with a key the server pins at registration (docs/agent.md). */
export const AGENT_PORT = 12382;
/** The node agent's own environment, beside the sidecar's variables it shares (docs/agent.md). */
export const AGENT_ENV = {
  /** The agent's HTTPS port (default AGENT_PORT). */
  port: 'FURNACE_AGENT_PORT',
  /** Longest seconds between two polls of the continuous profiling plan (default 5). */
  continuousPollSeconds: 'FURNACE_CONTINUOUS_POLL_SECONDS',
  /** Closed continuous windows that may wait to be sent; more are dropped and counted (default 8). */
  continuousMaxWindows: 'FURNACE_CONTINUOUS_MAX_WINDOWS',
} as const;
/** Marker annotation: a pod that carries it (or a container named `furnace`) is never injected again. */
export const INJECTED_ANNOTATION = `${API_GROUP}/injected`;
/** Audience of the projected service-account token that sidecars register with. */
export const TOKEN_AUDIENCE = 'furnace';

/** Environment that the webhook sets on the sidecar container. */
export const SIDECAR_ENV = {
  serverUrl: 'FURNACE_SERVER_URL',
  serverCa: 'FURNACE_SERVER_CA',
  podName: 'FURNACE_POD_NAME',
  podNamespace: 'FURNACE_POD_NAMESPACE',
  podUid: 'FURNACE_POD_UID',
  podIp: 'FURNACE_POD_IP',
  nodeName: 'FURNACE_NODE_NAME',
  targets: 'FURNACE_TARGETS',
  tokenPath: 'FURNACE_TOKEN_PATH',
  /** The output emptyDir's sizeLimit (a quantity): the sidecar's disk budget is made from it. */
  outputSizeLimit: 'FURNACE_OUTPUT_SIZE_LIMIT',
  /** The container-storage emptyDir's sizeLimit (a quantity): image pulls for symbols stay below it. */
  storageSizeLimit: 'FURNACE_STORAGE_SIZE_LIMIT',
  /** The server CA from the ConfigMap SERVER_CA_CONFIG_MAP, kept current; wins over FURNACE_SERVER_CA. */
  serverCaFile: 'FURNACE_SERVER_CA_FILE',
} as const;

/**
 * ConfigMap in each opted-in namespace that holds the server's CA under SERVER_CA_KEY, kept current by the
 * operator (the sidecar re-reads it, so a CA rotation needs no pod restart). Optional: without it the
 * sidecar trusts FURNACE_SERVER_CA, the CA of the day the pod was admitted.
 */
export const SERVER_CA_CONFIG_MAP = 'furnace-server-ca';
export const SERVER_CA_KEY = 'ca.crt';

export const WEBHOOK_PORT = 8443;
export const WEBHOOK_PATH = '/mutate';
/** The user listener: UI, API, proxy, catalog (`port`). */
export const SERVER_PORT = 8080;
/** The recorder listener in a cluster: registration and uploads only (`recorder.port`). */
export const RECORDER_PORT = 8081;

/** Local mode registers its one sidecar under this namespace; the pod name is the hostname. */
export const LOCAL_NAMESPACE = 'local';

/** Artifacts a recording can produce; nothing else is ever accepted as an artifact name. */
export const ARTIFACT_NAMES = [
  'flamegraph.svg',
  'flamegraph.html',
  'stacks.folded',
  'speedscope.json',
  'perf.data',
  'perf.script',
  /**
   * pprof (gzipped protobuf) for `go tool pprof`, Pyroscope, Parca: a pprof recording's is the target's own
   * profile as fetched; every other recording with stacks gets one made from them (core/pprof/write-pprof.ts).
   */
  'profile.pb.gz',
  /**
   * The recording's stacks as an OTLP profiles request (ExportProfilesServiceRequest, profiles/v1development,
   * protobuf): what an OpenTelemetry Collector, Pyroscope or Parca ingests (core/otlp/write-otlp.ts).
   */
  'profile.otlp.pb',
  /** The flame tree as flat arrays, gzipped (core/render/flame-tree-compact.ts): what the web UI reads. */
  'flame-tree.bin.gz',
  /** What a bpftrace program printed: its maps, histograms and printf lines. */
  'bpftrace.txt',
] as const;
export type ArtifactName = (typeof ARTIFACT_NAMES)[number];

export const ARTIFACT_CONTENT_TYPES: Readonly<Record<ArtifactName, string>> = {
  'flamegraph.svg': 'image/svg+xml',
  'flamegraph.html': 'text/html; charset=utf-8',
  'stacks.folded': 'text/plain; charset=utf-8',
  'speedscope.json': 'application/json',
  'perf.data': 'application/octet-stream',
  'perf.script': 'text/plain; charset=utf-8',
  // A gzip file to download as it is (never a Content-Encoding: clients must not unpack it).
  'profile.pb.gz': 'application/gzip',
  // As OTLP/HTTP sends it.
  'profile.otlp.pb': 'application/x-protobuf',
  'flame-tree.bin.gz': 'application/gzip',
  'bpftrace.txt': 'text/plain; charset=utf-8',
};

export function isArtifactName(name: string): name is ArtifactName {
  return (ARTIFACT_NAMES as readonly string[]).includes(name);
}

export function isOptInValue(value: string | undefined): boolean {
  return value !== undefined && OPT_IN_VALUES.includes(value.trim().toLowerCase());
}

export function isOptOutValue(value: string | undefined): boolean {
  return value !== undefined && OPT_OUT_VALUES.includes(value.trim().toLowerCase());
}

/** Extra sidecar environment used outside a pod (local mode and tests); never set by the webhook. */
export const SIDECAR_LOCAL_ENV = {
  /** Shared secret the local sidecar registers with instead of a service-account token. */
  registrationSecret: 'FURNACE_REGISTRATION_SECRET',
  /** Port to listen on instead of SIDECAR_PORT; 0 picks a free one (reported at registration). */
  port: 'FURNACE_SIDECAR_PORT',
  /** HTTPS port instead of SIDECAR_TLS_PORT; 0 picks a free one (reported at registration). */
  tlsPort: 'FURNACE_SIDECAR_TLS_PORT',
  /** Directory for perf output and the local copy of recent recordings. */
  dataDir: 'FURNACE_SIDECAR_DATA',
} as const;

/** Label every object a test run creates carries, so the run can delete what it made. */
export const TEST_RUN_LABEL = 'furnace-test-run';

/** Where the webhook mounts the sidecar's volumes inside the injected container (the sidecar reads these). */
export const SIDECAR_MOUNT_PATHS = {
  /** Directory of the projected service-account token; FURNACE_TOKEN_PATH names the file in it. */
  tokenDir: '/var/run/secrets/furnace',
  tokenFile: 'token',
  /** One `<secret-name>.dockerconfigjson` file per imagePullSecret of the pod (present only when it has some). */
  pullSecretsDir: '/var/run/secrets/furnace-pull-secrets',
  /** emptyDir for recordings in progress and their artifacts. */
  outputDir: '/var/lib/furnace',
  /** emptyDir for image layers pulled to read symbols. */
  containerStorageDir: '/var/lib/containers',
  /** The ConfigMap SERVER_CA_CONFIG_MAP (FURNACE_SERVER_CA_FILE names the file in it). */
  serverCaDir: '/var/run/secrets/furnace-server-ca',
  /**
   * Root of the secrets a pprof recording may present to its target (`pprof.tls.secret` names a directory
   * here, holding tls.crt, tls.key and ca.crt); nothing outside it is ever read for TLS.
   */
  pprofTlsDir: '/var/run/secrets/furnace-pprof',
} as const;
