// A sink: somewhere outside Furnace that receives each finished recording once, as teams already look at
// profiles there. `otlp` is an OpenTelemetry Collector (or anything speaking OTLP/HTTP profiles), and
// `pyroscope` Grafana Pyroscope's ingest API. The server's configuration names them (docs/server.md,
// "Sinks"); a recording may name configured sinks by name only, never by address. Pure.

export const SINK_TYPES = ['otlp', 'pyroscope'] as const;
export type SinkType = (typeof SINK_TYPES)[number];

/** What Pyroscope receives: the pprof profile (labels included) or the folded stacks. */
export const PYROSCOPE_FORMATS = ['pprof', 'folded'] as const;
export type PyroscopeFormat = (typeof PYROSCOPE_FORMATS)[number];

/** `all`: every finished recording of its namespaces; `named`: only recordings that name the sink. */
export const SINK_RECORDINGS = ['all', 'named'] as const;
export type SinkRecordings = (typeof SINK_RECORDINGS)[number];

/** A sink's name: a DNS label, so it fits a file name, a metric label and a Secret's mount path. */
export const SINK_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
/** Sinks one recording may name. */
export const MAX_SINKS_PER_RECORDING = 8;

/** Files with the sink's TLS material, mounted from a Secret; never the material itself. */
export interface SinkTls {
  /** PEM of the CA that signs the sink's certificate; the system's CAs when unset. */
  caFile?: string;
  /** Client certificate and key (PEM), for a sink that asks for mutual TLS. */
  certFile?: string;
  keyFile?: string;
  /** The name the sink's certificate is checked against; the URL's host when unset. */
  serverName?: string;
}

/** Credentials read from files mounted from a Secret: a bearer token, or a user name and password. */
export interface SinkCredentials {
  bearerTokenFile?: string;
  usernameFile?: string;
  passwordFile?: string;
}

export interface SinkConfig {
  name: string;
  type: SinkType;
  /** Base URL: OTLP appends /v1development/profiles, Pyroscope /ingest. */
  url: string;
  /** Namespaces whose recordings the sink takes; every namespace when unset. */
  namespaces?: readonly string[];
  recordings: SinkRecordings;
  /**
   * Also every continuous profiling window of its namespaces (continuous/window-export.ts); off unless
   * asked for, so that a sink that takes recordings does not receive a window per pod every 15 s unasked.
   */
  continuous: boolean;
  /** Pyroscope only. */
  format: PyroscopeFormat;
  /** Pyroscope only: the tenant, sent as X-Scope-OrgID. */
  tenant?: string;
  /** Pyroscope only: the application name; the pod's workload (or the pod) when unset. */
  application?: string;
  tls?: SinkTls;
  credentials?: SinkCredentials;
  /** The longest one push may take, connection to the last byte of the answer. */
  timeoutSeconds: number;
}

/** Every setting of the delivery queue (`sinkDelivery.*`). */
export interface SinkDeliverySettings {
  /** Pushes waiting at most; past it a new push is failed at once ("queue full"), never blocking anything. */
  maxQueued: number;
  /** Pushes in flight at once, over all sinks. */
  concurrency: number;
  /** The first retry's delay; it doubles up to maxBackoffSeconds. */
  initialBackoffSeconds: number;
  maxBackoffSeconds: number;
  /** A push still not delivered this long after its recording finished is failed for good. */
  maxAgeSeconds: number;
  /**
   * Continuous windows: how late a window may reach the store and still be pushed. Each continuous sink's
   * cursor stays this far behind the clock, and the keys pushed past the cursor are remembered.
   */
  windowGraceSeconds: number;
}

export const DEFAULT_SINK_DELIVERY: SinkDeliverySettings = {
  maxQueued: 10_000,
  concurrency: 2,
  initialBackoffSeconds: 5,
  maxBackoffSeconds: 300,
  maxAgeSeconds: 86_400,
  windowGraceSeconds: 600,
};

export const DEFAULT_SINK_TIMEOUT_SECONDS = 30;
