// The routes of recordings on both listeners: on the user listener the proxy to recorders, the list of
// pods that can be recorded, the catalog's reads and deletes and merged flame graphs; on the recorder
// listener the artifact uploads. All of them share one RecordingsState (recordings-state.ts).
import type { RecordingLimits } from '../../core/contract/limits.ts';
import type { SinkRule } from '../../core/sinks/sink-choice.ts';
import type { AgentRouting } from '../agent/agent-routing.ts';
import {
  registerCatalogUploadRoutes,
  registerCatalogUserRoutes,
  type CatalogRouteDeps,
} from '../catalog/catalog-routes.ts';
import type { Catalog, RecordingOwner } from '../catalog/catalog-store.ts';
import { registerMergedArtifactRoute } from '../catalog/merged-artifacts.ts';
import { registerWorkloadRoutes } from '../catalog/workload-routes.ts';
import type { MergeSettings } from '../catalog/merge-slots.ts';
import type { WorkloadNaming } from '../catalog/workload-naming.ts';
import type { ListenerRoutes } from '../listeners/listener-routes.ts';
import type { Registry } from '../registry/lease-registry.ts';
import { registerProxyRoutes } from './proxy-routes.ts';
import type { RecordingsState } from './recordings-state.ts';
import { registerSidecarListRoute } from './sidecar-list.ts';
import type { UpstreamResolver } from './upstreams.ts';

export interface RecordingRouteParts {
  state: RecordingsState;
  catalog: Catalog;
  registry: Registry;
  limitsFor: (namespace: string) => Readonly<RecordingLimits>;
  now: () => number;
  /** `proxyTimeoutSeconds`: the proxy's upstream connect and header timeout. */
  proxyTimeoutSeconds: number;
  /** `recorder.uploadTimeoutSeconds`: the longest an artifact upload's body may take. */
  uploadTimeoutSeconds: number;
  /** `recording.allowSystemWide`: whole-node recordings (still need their own permission). */
  allowSystemWide: boolean;
  /** The configured sinks: a start may name those that take its namespace. */
  sinks: readonly SinkRule[];
  /** `merge.*`: merged flame graphs at once, waiting, and cached. */
  merge: MergeSettings;
  /** Where a pod's requests go: its sidecar, or (agent mode) the agent of its node (upstreams.ts). */
  upstreams: UpstreamResolver;
  /** The pod an upload grant names (agent mode); nobody's without agents. */
  agentUploader: (token: string, recordingId: string) => RecordingOwner | undefined;
  /** Agent mode: pods without a sidecar that an agent can record, in the list of pods. */
  agents: AgentRouting | undefined;
  /** Whether this replica leads the single-writer chores: retention after an upload runs only there. */
  isLeader: () => boolean;
  /** What a recording's baseline and regressions belong to: its pod's workload, or (local mode) its program. */
  workloads: WorkloadNaming;
}

function catalogDeps(parts: RecordingRouteParts): CatalogRouteDeps {
  const { state } = parts;
  return {
    ...{ catalog: parts.catalog, registry: parts.registry, limitsFor: parts.limitsFor },
    ...{ uploadTimeoutSeconds: parts.uploadTimeoutSeconds, agentUploader: parts.agentUploader },
    starterOf: (id, owner) => state.running.starterOf(id, owner.namespace, owner.pod),
    stopperOf: (id, owner) => state.running.stopperOf(id, owner.namespace, owner.pod),
    isLeader: parts.isLeader,
    workloads: parts.workloads,
    onRecordingUpdated: (entry, previous) => state.updated(entry, previous),
  };
}

export function recordingRoutes(parts: RecordingRouteParts): ListenerRoutes {
  const { state, catalog, registry } = parts;
  return {
    async user(scope) {
      registerSidecarListRoute(scope, { registry, ...(parts.agents ? { agents: parts.agents } : {}) });
      registerCatalogUserRoutes(scope, catalogDeps(parts));
      registerMergedArtifactRoute(scope, { catalog, merge: parts.merge });
      registerWorkloadRoutes(scope, catalog, parts.workloads);
      await registerProxyRoutes(scope, {
        ...{ registry, limitsFor: parts.limitsFor, running: state.running, metrics: state.metrics },
        ...{ now: parts.now, timeoutSeconds: parts.proxyTimeoutSeconds, slots: state.slots },
        ...{ allowSystemWide: parts.allowSystemWide, sinks: parts.sinks, upstreams: parts.upstreams },
        onStarted: (registration, status, identity) => state.started(registration, status, identity),
        recordingOf: (id) => catalog.get(id),
      });
    },
    recorder: (scope) => registerCatalogUploadRoutes(scope, catalogDeps(parts)),
  };
}
