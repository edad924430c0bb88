// What every server module may read (server-module.ts `ctx.base`), and what each module provides to those
// that need it, by module name.
import type { FastifyBaseLogger } from 'fastify';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { Leadership } from '../../kube/leases/leader-election.ts';
import type { SharedKeys } from '../../core/shared-key.ts';
import type { AgentMode } from '../agent/agent-mode.ts';
import type { Access } from '../auth/access.ts';
import type { Catalog } from '../catalog/catalog-store.ts';
import type { ClusterConnection } from '../cluster-mode.ts';
import type { WatchedRecordings } from '../regressions/watched-recordings.ts';
import type { ServerConfig } from '../config/config.ts';
import type { ContinuousMode } from '../continuous/continuous-mode.ts';
import type { PodWatch } from '../kube/pod-watch.ts';
import type { TokenCache } from '../kube/token-cache.ts';
import type { AgentRegistry } from '../registry/agent-registry.ts';
import type { Registry } from '../registry/lease-registry.ts';
import type { RegistrationMode } from '../registry/sidecar-registration.ts';
import type { RecordingsState } from '../proxy/recordings-state.ts';
import type { SharedMode } from '../shared-mode.ts';
import type { Draining } from '../shutdown.ts';
import type { LocalKey } from '../local-mode.ts';
import type { SharedSlots } from '../slots/shared-slots.ts';
import type { TlsSource } from '../webhook/tls.ts';
import type { SymbolFiles } from '../symbols/symbol-files.ts';
import type { ModuleContext, ServerModule } from './server-module.ts';

export interface ServerBase {
  config: ServerConfig;
  /** `--local`: loopback listeners, auth `none`, a local sidecar. */
  local: boolean;
  now: () => number;
  /** The one logger of the process: both API listeners and the webhook log through it. */
  log: FastifyBaseLogger;
  metricsRegistry: MetricsRegistry;
  /** On from the first signal: readiness off, and every answer asks its client to close the connection. */
  draining: Draining;
  /** This replica as a candidate for the leader Lease and as the holder of start slots. */
  candidate: string;
  /** The environment the local sidecar inherits. */
  env: Record<string, string | undefined>;
  /** Ends the process with one line on stderr. */
  fail(message: string): never;
}

/** The recorders' registries and what proves them, shared by registration, the pod watch and replicas. */
export interface Recorders {
  sidecars: Registry;
  /** Agent mode: the registry of node agents. */
  agents: AgentRegistry | undefined;
  /** One TokenReview cache for users and recorders, so the pod watch can drop a deleted pod's reviews. */
  tokens: TokenCache;
  /** The key the replicas share: registrations' tokens and agents' upload grants are derived with it. */
  keys: SharedKeys;
}

/** Local mode's own recorder: the secret it registers with, and the pod name it registers as. */
export interface LocalRecorder {
  secret: string;
  hostname: string;
}

/** How sidecars prove who they are; in local mode, the secret and name the local sidecar registers with. */
export interface Registration {
  mode: RegistrationMode;
  local: LocalRecorder | undefined;
}

export interface Listening {
  url: string;
  recorderUrl: string;
  /** Local mode: the key the user listener asks for (auth/run-key-hook.ts). */
  localKey: LocalKey | undefined;
}

export interface Provided {
  tls: TlsSource | undefined;
  cluster: ClusterConnection | undefined;
  catalog: Catalog;
  recorders: Recorders;
  shared: SharedMode | undefined;
  podWatch: PodWatch | undefined;
  agent: AgentMode | undefined;
  auth: Access;
  registration: Registration;
  leader: Leadership;
  slots: SharedSlots | undefined;
  continuous: ContinuousMode | undefined;
  sinks: undefined;
  symbols: SymbolFiles;
  watchMetrics: WatchedRecordings | undefined;
  recordings: RecordingsState;
  ui: undefined;
  listeners: Listening;
  webhook: undefined;
  localSidecar: undefined;
}

export type Module = ServerModule<Provided, ServerBase>;
export type Context = ModuleContext<Provided, ServerBase>;
