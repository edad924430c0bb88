// Drives one recording at a time through the state machine: plan with the chosen profiler (perf, pprof,
// auto, …), run it, render its stacks, upload, keep.
import { mkdir } from 'node:fs/promises';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { RecordingParams } from '../../core/contract/recording-params.ts';
import type { ArtifactName } from '../../core/contract/names.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import type { SidecarConfig } from '../config.ts';
import type { HttpSend } from '../server-link/http-client.ts';
import type { JitMapOptions } from '../symbols/jit-maps.ts';
import { createDiskBudget, diskUsage, type DiskBudget } from '../host/disk-budget.ts';
import { renderStacks } from './render-artifacts.ts';
import { createPerfProfiler } from '../profilers/perf/perf-profiler.ts';
import type { PlannedProfile, ProfileOutput, Profiler, ProfilerSet } from '../profilers/profiler.ts';
import {
  selectProcesses,
  type ProcessInfo,
  type SelectionContext,
  type SelectionRequest,
} from '../host/process-select.ts';
import { chooseForPreview, describeMatches } from '../host/process-preview.ts';
import type { ProcessMatches } from '../../core/contract/processes.ts';
import { evictOldRecordings } from './retention.ts';
import { applyEvent, assertIdle, beginRecording, withLiveProgress } from './recording-machine.ts';
import { uploadFinishedRecording } from './upload.ts';
import type { LoopTimers, RunCommand, SpawnFn } from '../host/runtime.ts';
import type { RecordingEvent } from '../recording-events.ts';

export interface ControllerDeps {
  config: SidecarConfig;
  spawn: SpawnFn;
  run: RunCommand;
  timers: LoopTimers;
  newId(): string;
  selfPid: number;
  listProcesses(withContainers: boolean): Promise<ProcessInfo[]>;
  nestedPidNamespace(): Promise<boolean>;
  fileSize(path: string): Promise<number>;
  send: HttpSend;
  sleep(ms: number): Promise<void>;
  random(): number;
  /** The upload token presented to the server on the recording's upload: registration's, or the agent's per recording. */
  serverToken(recordingId: string): string | undefined;
  /** The server's artifact limit from registration, if it said; uploads skip larger files without sending them. */
  serverMaxArtifactBytes?(): number | undefined;
  /** The CA to trust for the server, read before each upload (server-ca.ts); else config.serverCa. */
  readServerCa?(): Promise<string | undefined>;
  log(message: string, fields?: Record<string, unknown>): void;
  jitMaps?: JitMapOptions;
  /** perf record takes --buildid-mmap here (probed once at start-up). */
  buildIdMmap?: boolean;
  /** The data directory's disk budget; by default config.diskBudgetBytes over config.dataDir. */
  budget?: DiskBudget;
  /**
   * The profilers offered besides perf (pprof, auto, bpftrace), made with this controller's budget; a
   * start naming a profiler that is not here is refused with a 400.
   */
  profilers?: (budget: DiskBudget, perf: Profiler) => ProfilerSet;
  /** Asks the JVMs among perf's targets for their perf maps before perf script (jvm-perf-map.ts). */
  requestJvmPerfMaps?(targets: readonly ProcessInfo[]): Promise<string[]>;
  /** Whether a target has exited since it was chosen (proc-table.ts); perf then records the others. */
  isProcessGone?(pid: number): Promise<boolean>;
  /** Each process's CPU share now, in percent of one CPU (proc-table.ts), for GET /processes. */
  sampleCpuPercent?(pids: readonly number[]): Promise<Map<number, number>>;
}

/** How many matching processes GET /processes samples for their CPU share (the busiest are listed first). */
const MAX_CPU_SAMPLED = 500;

interface Running {
  id: string;
  stop(): void;
  settled: Promise<void>;
}

export class RecordingController {
  private recordings: RecordingStatus[] = [];
  private starting: string | undefined;
  private running: Running | undefined;
  private readonly budget: DiskBudget;
  private readonly profilers: ProfilerSet;

  constructor(private readonly deps: ControllerDeps) {
    this.budget =
      deps.budget ??
      createDiskBudget(deps.config.dataDir, deps.config.diskBudgetBytes, {
        usage: diskUsage,
        size: (path) => deps.fileSize(path),
      });
    const perf = createPerfProfiler({ ...deps, budget: this.budget });
    this.profilers = { ...deps.profilers?.(this.budget, perf), perf };
  }

  list(): RecordingStatus[] {
    const now = this.deps.timers.now();
    return this.recordings.map((r) => withLiveProgress(r, new Date(now))).reverse();
  }

  get(id: string): RecordingStatus {
    const status = this.recordings.find((r) => r.id === id);
    if (status === undefined) throw new FurnaceError('ERR_NOT_FOUND', `no recording ${id}`, { id });
    return withLiveProgress(status, new Date(this.deps.timers.now()));
  }

  /**
   * Stops recording early; perf's samples so far are processed as usual (docs/profilers.md says what each
   * profiler keeps). Stopping a finished recording is a no-op.
   */
  stop(id: string): RecordingStatus {
    const status = this.get(id);
    if (this.running?.id === id && status.state === 'recording') this.running.stop();
    return this.get(id);
  }

  artifactPath(id: string, name: ArtifactName): string {
    const status = this.get(id);
    if (!status.artifacts.includes(name)) {
      throw new FurnaceError('ERR_NOT_FOUND', `recording ${id} has no ${name} (yet)`, { id, artifact: name });
    }
    return `${this.recordingDir(id)}/${name}`;
  }

  /** Resolves when the current recording (if any) has finished processing. */
  async settled(): Promise<void> {
    await this.running?.settled;
  }

  async close(): Promise<void> {
    this.running?.stop();
    await this.settled();
  }

  /** Starts a recording with parameters already checked against the limits (the route did that). */
  async start(params: RecordingParams): Promise<RecordingStatus> {
    if (this.starting !== undefined) {
      throw new FurnaceError('ERR_RECORDING_RUNNING', `recording ${this.starting} is starting`, {
        id: this.starting,
      });
    }
    assertIdle(this.recordings);
    const requestedAtMs = this.deps.timers.now();
    const id = this.deps.newId();
    this.starting = id;
    try {
      const dir = this.recordingDir(id);
      const planned = await this.profilerFor(params).plan({
        id,
        dir,
        params,
        chooseTargets: () => this.chooseTargets(params, requestedAtMs),
      });
      await mkdir(dir, { recursive: true });
      const status = beginRecording({
        id,
        params,
        profiler: planned.profiler,
        targets: planned.targets.map((p) => ({
          pid: p.pid,
          comm: p.comm,
          ...(p.container === undefined ? {} : { container: p.container }),
        })),
        now: new Date(this.deps.timers.now()),
      });
      this.recordings.push(status);
      for (const message of planned.warnings) this.update(id, { type: 'warning', message });
      this.launch(status, dir, planned);
      return this.get(id);
    } finally {
      this.starting = undefined;
    }
  }

  private profilerFor(params: RecordingParams): Profiler {
    const profiler = this.profilers[params.profiler];
    if (profiler !== undefined) return profiler;
    const offered = Object.keys(this.profilers).join(', ');
    throw new FurnaceError(
      'ERR_INVALID_PARAMETER',
      `profiler ${params.profiler} is not available in this recorder (it offers ${offered})`,
      { field: 'profiler', value: params.profiler, allowed: offered },
    );
  }

  private recordingDir(id: string): string {
    return `${this.deps.config.dataDir}/recordings/${id}`;
  }

  private async chooseTargets(params: RecordingParams, requestedAtMs: number): Promise<ProcessInfo[]> {
    const processes = await this.deps.listProcesses(this.deps.config.mode === 'pod');
    return selectProcesses(processes, params, await this.selectionContext(requestedAtMs));
  }

  private async selectionContext(requestedAtMs: number): Promise<SelectionContext> {
    const { config } = this.deps;
    return {
      mode: config.mode,
      requestedAtMs,
      ...(config.podUid === undefined ? {} : { podUid: config.podUid }),
      selfPid: this.deps.selfPid,
      nestedPidNamespace: config.mode === 'pod' && (await this.deps.nestedPidNamespace()),
    };
  }

  /** Which processes a start with these settings would record now (GET /processes); nothing is started. */
  async matchingProcesses(request: SelectionRequest): Promise<ProcessMatches> {
    const requestedAtMs = this.deps.timers.now();
    const processes = await this.deps.listProcesses(this.deps.config.mode === 'pod');
    const ctx = await this.selectionContext(requestedAtMs);
    const { chosen, reason } = chooseForPreview(processes, request, ctx);
    const pids = chosen.slice(0, MAX_CPU_SAMPLED).map((p) => p.pid);
    const cpu = (await this.deps.sampleCpuPercent?.(pids)) ?? new Map<number, number>();
    return describeMatches(chosen, cpu, reason);
  }

  private update(id: string, event: RecordingEvent): void {
    const index = this.recordings.findIndex((r) => r.id === id);
    const status = this.recordings[index];
    if (status === undefined) return;
    try {
      this.recordings[index] = applyEvent(status, event);
    } catch (error) {
      this.deps.log('ignored a recording event', { id, error: (error as Error).message });
    }
  }

  private launch(status: RecordingStatus, dir: string, planned: PlannedProfile): void {
    const { timers, config } = this.deps;
    const id = status.id;
    const run = planned.run({ report: (event) => this.update(id, event) });
    const where = `${config.podNamespace}/${config.podName}`;
    const settled = run.done
      .then((output) => this.finish(id, dir, where, output))
      .catch((error: Error) => {
        this.update(id, { type: 'failed', error: error.message, at: new Date(timers.now()) });
        return this.upload(id, dir, 'failed');
      })
      .finally(() => {
        this.running = undefined;
      })
      .then(() => this.prune())
      .catch((error: Error) => this.deps.log('pruning old recordings failed', { error: error.message }));
    this.running = { id, stop: () => run.stop(), settled };
  }

  /** Renders the profiler's stacks into the graphs, uploads, and marks the recording done. */
  private async finish(id: string, dir: string, where: string, output: ProfileOutput): Promise<void> {
    await renderStacks(
      { report: (event) => this.update(id, event), budget: this.budget },
      { dir, title: `Furnace: ${where}`, subtitle: output.subtitle, name: `${where} ${id}` },
      output.stacks,
    );
    await this.upload(id, dir);
    this.update(id, { type: 'done', at: new Date(this.deps.timers.now()) });
  }

  /** Uploads a finished recording; a failed one sends its metadata only, so the catalog shows the error. */
  private async upload(id: string, dir: string, outcome: 'done' | 'failed' = 'done'): Promise<void> {
    const { config } = this.deps;
    if (config.serverUrl === undefined) return;
    if (outcome === 'done') this.update(id, { type: 'stage', stage: 'upload' });
    const warnings = await uploadFinishedRecording(
      {
        send: (request) => this.deps.send(request),
        sleep: (ms) => this.deps.sleep(ms),
        random: () => this.deps.random(),
        token: () => this.deps.serverToken(id),
        readCa: () => this.deps.readServerCa?.() ?? Promise.resolve(config.serverCa),
      },
      {
        ...config,
        serverUrl: config.serverUrl,
        now: new Date(this.deps.timers.now()),
        limits: { maxArtifactBytes: this.maxArtifactBytes() },
      },
      { status: this.get(id), dir, outcome },
      (fraction) => this.update(id, { type: 'progress', fraction }),
    );
    for (const message of warnings) this.update(id, { type: 'warning', message });
  }

  /** The smaller of the sidecar's own artifact limit and the server's. */
  private maxArtifactBytes(): number {
    const own = this.deps.config.limits.maxArtifactBytes;
    return Math.min(own, this.deps.serverMaxArtifactBytes?.() ?? own);
  }

  private async prune(): Promise<void> {
    const { keepRecordings, keepBytes } = this.deps.config;
    const evicted = await evictOldRecordings(
      this.recordings,
      (id) => this.recordingDir(id),
      keepRecordings,
      keepBytes,
    );
    this.recordings = this.recordings.filter((r) => !evicted.includes(r.id));
  }
}
