// The node agent's recorders: one recording controller per pod the server has named in a request's scope,
// each recording only that pod's containers (found by cgroup, core/contract/agent-scope.ts and pod-cgroup.ts) and
// seeing only that pod's recordings. A request for pod A can neither start, read, stop nor download a
// recording of pod B: it reaches A's controller only. Uploads carry the token the server granted for that
// one recording. All pods share the agent's one disk budget.
import { FurnaceError } from '../../core/contract/errors.ts';
import type { AgentScope } from '../../core/contract/agent-scope.ts';
import type { RecordingApi } from '../api/build-sidecar-app.ts';
import type { SidecarConfig } from '../config.ts';
import type { DiskBudget } from '../host/disk-budget.ts';
import { ownerInScope } from '../host/pod-cgroup.ts';
import type { ProcessInfo } from '../host/process-select.ts';
import type { CgroupOwnerOf } from '../host/proc-table.ts';
import { RecordingController, type ControllerDeps } from '../recording/recording-controller.ts';

export interface AgentRecordersDeps extends Omit<
  ControllerDeps,
  'config' | 'listProcesses' | 'nestedPidNamespace' | 'serverToken' | 'budget'
> {
  /** The agent's configuration; each pod's recorder gets a copy naming the pod. */
  config: SidecarConfig;
  budget: DiskBudget;
  /** The node's processes, each with its pod and container when cgroupOwner names them. */
  readProcesses(cgroupOwner: CgroupOwnerOf): Promise<ProcessInfo[]>;
}

interface PodRecorder {
  controller: RecordingController;
  /** Mutable: the newest scope the server sent for this pod (container IDs change when containers restart). */
  config: SidecarConfig;
  scope: AgentScope;
  uploadTokens: Map<string, string>;
  /** The token of the start in progress, until the controller has given it an id. */
  pending?: string;
}

/** The per-pod copy of the agent's configuration: pod mode, the pod's names and images, its own directory. */
function podConfig(base: SidecarConfig, scope: AgentScope): SidecarConfig {
  return {
    ...base,
    mode: 'pod',
    podUid: scope.podUid,
    podName: scope.pod,
    podNamespace: scope.namespace,
    targets: scope.containers.map(({ name, image }) => ({ name, image })),
    dataDir: `${base.dataDir}/pods/${scope.podUid}`,
  };
}

export class AgentRecorders {
  private readonly pods = new Map<string, PodRecorder>();

  constructor(private readonly deps: AgentRecordersDeps) {}

  /** The recorder API of the pod the scope names, and of no other. */
  for(scope: AgentScope): RecordingApi {
    const recorder = this.recorderOf(scope);
    const { controller } = recorder;
    return {
      start: async (params) => {
        const token = scope.uploadToken;
        if (token === undefined)
          throw new FurnaceError(
            'ERR_INVALID_PARAMETER',
            'a start needs the upload token the server grants',
            {
              field: 'uploadToken',
            },
          );
        recorder.pending = token;
        try {
          const status = await controller.start(params);
          recorder.uploadTokens.set(status.id, token);
          return status;
        } finally {
          delete recorder.pending;
        }
      },
      list: () => controller.list(),
      get: (id) => controller.get(id),
      stop: (id) => controller.stop(id),
      artifactPath: (id, name) => controller.artifactPath(id, name),
      matchingProcesses: (request) => controller.matchingProcesses(request),
    };
  }

  /** Stops every recording and waits for their processing. */
  async close(): Promise<void> {
    await Promise.all([...this.pods.values()].map((p) => p.controller.close()));
  }

  private recorderOf(scope: AgentScope): PodRecorder {
    const known = this.pods.get(scope.podUid);
    if (known !== undefined) {
      const fresh = podConfig(this.deps.config, scope);
      Object.assign(known.config, {
        podName: fresh.podName,
        podNamespace: fresh.podNamespace,
        targets: fresh.targets,
      });
      known.scope = scope;
      return known;
    }
    const config = podConfig(this.deps.config, scope);
    const recorder: PodRecorder = {
      config,
      scope,
      uploadTokens: new Map(),
      controller: undefined as unknown as RecordingController,
    };
    recorder.controller = new RecordingController({
      ...this.deps,
      config,
      // The pod's processes as its cgroups say, read at each start with the newest scope's container IDs.
      listProcesses: () => this.deps.readProcesses(ownerInScope(recorder.scope)),
      nestedPidNamespace: () => Promise.resolve(false),
      serverToken: (id) => recorder.uploadTokens.get(id) ?? recorder.pending,
    });
    this.pods.set(scope.podUid, recorder);
    return recorder;
  }
}
