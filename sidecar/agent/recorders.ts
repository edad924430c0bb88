// The node agent's recorders: one recording controller per pod the server has named in a request's scope,
// each recording only that pod's containers (found by cgroup, core/contract/agent-scope.ts and pod-cgroup.ts) and
// seeing only that pod's recordings. A request for pod A can neither start, read, stop nor download a
// recording of pod B: it reaches A's controller only. Uploads carry the token the server granted for that
// one recording. All pods share the agent's one disk budget. Each pod's scope and each recording's grant
// are kept on disk (agent-disk.ts), so a restarted agent rebuilds its controllers from the pods'
// directories (recover) and delivers what it finished; a grant past its expiry ends in words on the entry.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { AgentScope } from '../../core/contract/agent-scope.ts';
import type { RecordingApi } from '../api/build-sidecar-app.ts';
import type { SidecarConfig } from '../config.ts';
import type { DiskBudget } from '../host/disk-budget.ts';
import { ownerInScope } from '../host/pod-cgroup.ts';
import type { ProcessInfo } from '../host/process-select.ts';
import type { CgroupOwnerOf } from '../host/proc-table.ts';
import { RecordingController, type ControllerDeps } from '../recording/recording-controller.ts';
import { grantExpiresAt, readGrant, readSavedPods, writeGrant, writePodScope } from './agent-disk.ts';

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

  private readonly deps: AgentRecordersDeps;

  constructor(deps: AgentRecordersDeps) {
    this.deps = deps;
  }

  /** The recorder API of the pod the scope names, and of no other. */
  for(scope: AgentScope): RecordingApi {
    const recorder = this.recorderOf(scope);
    const { controller } = recorder;
    return {
      start: async (params, startKey) => {
        const token = scope.uploadToken;
        if (token === undefined)
          throw new FurnaceError(
            'ERR_INVALID_PARAMETER',
            'a start needs the upload token the server grants',
            {
              field: 'uploadToken',
            },
          );
        await this.saveScope(recorder);
        recorder.pending = token;
        try {
          // A repeated key answers the recording it started; its uploads then go with this start's grant.
          const status = await controller.start(params, startKey);
          recorder.uploadTokens.set(status.id, token);
          await this.saveGrant(recorder, status.id, token);
          return status;
        } finally {
          delete recorder.pending;
        }
      },
      list: () => controller.list(),
      get: (id) => controller.get(id),
      stop: (id) => controller.stop(id),
      artifactPath: (id, name) => controller.artifactPath(id, name),
      whenArtifact: (id, name) => controller.whenArtifact(id, name),
      whenEnded: (id, ms) => controller.whenEnded(id, ms),
      matchingProcesses: (request) => controller.matchingProcesses(request),
    };
  }

  /** Stops every recording and waits for their processing. */
  async close(): Promise<void> {
    await Promise.all([...this.pods.values()].map((p) => p.controller.close()));
  }

  /**
   * Reads back what a previous run left under `<dataDir>/pods`: each pod's controller is rebuilt from its
   * saved scope with its recordings' grants, and recovers as the sidecar does (recording-journal.ts). A pod
   * directory with no readable scope cannot be delivered for anyone: it is removed, and the log says so.
   * Call once, before serving.
   */
  async recover(): Promise<void> {
    const saved = await readSavedPods(`${this.deps.config.dataDir}/pods`);
    for (const dir of saved.unknown) {
      this.deps.log('removed a pod directory with no record of its pod', { dir });
      await rm(dir, { recursive: true, force: true });
    }
    for (const { scope } of saved.pods) {
      const recorder = this.recorderOf(scope);
      const recordings = `${recorder.config.dataDir}/recordings`;
      for (const id of await readdir(recordings).catch(() => [] as string[])) {
        const grant = await readGrant(`${recordings}/${id}`);
        if (grant !== undefined) recorder.uploadTokens.set(id, grant);
      }
      await recorder.controller.recover();
    }
  }

  /** Sends again what the catalog has not taken, for every pod (the agent registered again). */
  retryUploads(): void {
    for (const { controller } of this.pods.values()) controller.retryUploads();
  }

  private async saveScope(recorder: PodRecorder): Promise<void> {
    await mkdir(recorder.config.dataDir, { recursive: true });
    await writePodScope(recorder.config.dataDir, recorder.scope);
  }

  /** Keeps the grant beside the recording; should that fail, the grant in memory still serves this run. */
  private async saveGrant(recorder: PodRecorder, id: string, token: string): Promise<void> {
    await writeGrant(`${recorder.config.dataDir}/recordings/${id}`, token).catch((error: Error) =>
      this.deps.log('could not save the upload grant', { id, error: error.message }),
    );
  }

  /** Why the server will never take this recording: its grant was lost, or has expired (ms clock). */
  private refusalOf(recorder: PodRecorder, id: string): string | undefined {
    const token = recorder.uploadTokens.get(id) ?? recorder.pending;
    const kept = `its files stay on the node agent's disk (${recorder.config.dataDir}/recordings/${id}) until retention removes them`;
    if (token === undefined)
      return `the node agent stopped before it saved this recording's upload grant, so the server will not take it; ${kept}`;
    const expiresAt = grantExpiresAt(token);
    if (expiresAt === undefined || expiresAt > this.deps.timers.now()) return undefined;
    return `the server's upload grant for this recording expired at ${new Date(expiresAt).toISOString()} before the server could take it; ${kept}`;
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
      uploadRefusal: (id) => this.refusalOf(recorder, id),
    });
    this.pods.set(scope.podUid, recorder);
    return recorder;
  }
}
