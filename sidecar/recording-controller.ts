// Drives one recording at a time through the state machine: choose processes, run perf, render, upload, keep.
import { mkdir, rm } from 'node:fs/promises';
import { FurnaceError } from '../core/errors.ts';
import type { RecordingParams } from '../core/recording-params.ts';
import { SIDECAR_MOUNT_PATHS, type ArtifactName } from '../core/names.ts';
import type { RecordingStatus } from '../core/recording.ts';
import type { SidecarConfig } from './config.ts';
import type { HttpSend } from './http-client.ts';
import { mountImage, type ImageMount, type RunCommand } from './image-symbols.ts';
import type { JitMapOptions } from './jit-maps.ts';
import { startJitMapPoller } from './jit-map-poller.ts';
import { startPerfRecord, type PerfRecordResult, type SpawnFn } from './perf-runner.ts';
import { readPidNamespace, startBpftraceRecording } from './bpftrace-recording.ts';
import type { RecordingPlan } from './recording-plan.ts';
import { cacheTargetBinaries } from './binary-cache.ts';
import { createDiskBudget, diskUsage, type DiskBudget } from './disk-budget.ts';
import { planWithinBudget } from './plan-within-budget.ts';
import { renderRecording } from './pipeline.ts';
import { selectProcesses, type ProcessInfo } from './process-select.ts';
import { evictOldRecordings } from './retention.ts';
import {
  applyEvent,
  assertIdle,
  beginRecording,
  withLiveProgress,
  type RecordingEvent,
} from './recording-machine.ts';
import type { LoopTimers } from './registration.ts';
import { uploadFinishedRecording } from './upload.ts';

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
  /** The upload token from registration, presented to the server on upload. */
  serverToken(): string | undefined;
  /** The CA to trust for the server, read before each upload (server-ca.ts); else config.serverCa. */
  readServerCa?(): Promise<string | undefined>;
  log(message: string, fields?: Record<string, unknown>): void;
  jitMaps?: JitMapOptions;
  /** perf record takes --buildid-mmap here (probed once at start-up). */
  buildIdMmap?: boolean;
  /** The data directory's disk budget; by default config.diskBudgetBytes over config.dataDir. */
  budget?: DiskBudget;
  /** The PID namespace of a process (profiler bpftrace); by default read from /proc/PID/ns/pid. */
  pidNamespaceOf?: (pid: number) => Promise<number>;
}

interface PendingWork {
  perf: Promise<PerfRecordResult>;
  mount: Promise<ImageMount | Error> | undefined;
  /** Bytes of the targets' binaries left uncached to stay within the disk budget. */
  precached: Promise<number>;
}

interface Running {
  id: string;
  dir: string;
  targets: ProcessInfo[];
  stopPerf(): void;
  settled: Promise<void>;
}

export class RecordingController {
  private recordings: RecordingStatus[] = [];
  private starting: string | undefined;
  private running: Running | undefined;
  private readonly budget: DiskBudget;

  constructor(private readonly deps: ControllerDeps) {
    this.budget =
      deps.budget ??
      createDiskBudget(deps.config.dataDir, deps.config.diskBudgetBytes, {
        usage: diskUsage,
        size: (path) => deps.fileSize(path),
      });
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

  /** Stops perf early; what was sampled so far is processed as usual. Stopping a finished recording is a no-op. */
  stop(id: string): RecordingStatus {
    const status = this.get(id);
    if (this.running?.id === id && status.state === 'recording') this.running.stopPerf();
    return status;
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
    this.running?.stopPerf();
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
    const id = this.deps.newId();
    this.starting = id;
    try {
      const targets = params.systemWide ? [] : await this.chooseTargets(params);
      const dir = this.recordingDir(id);
      const bpftrace = params.profiler === 'bpftrace';
      const { plan, warnings } = bpftrace
        ? { plan: undefined, warnings: [] }
        : await planWithinBudget({
            id,
            dir,
            params,
            targets,
            config: this.deps.config,
            buildIdMmap: this.deps.buildIdMmap === true,
            budget: this.budget,
          });
      await mkdir(dir, { recursive: true });
      const status = beginRecording({
        id,
        params,
        targets: targets.map((p) => ({
          pid: p.pid,
          comm: p.comm,
          ...(p.container === undefined ? {} : { container: p.container }),
        })),
        now: new Date(this.deps.timers.now()),
      });
      this.recordings.push(status);
      for (const message of warnings) this.update(id, { type: 'warning', message });
      if (plan === undefined) this.launchBpftrace(status, dir, targets);
      else this.launch(status, dir, targets, plan);
      return this.get(id);
    } finally {
      this.starting = undefined;
    }
  }

  private recordingDir(id: string): string {
    return `${this.deps.config.dataDir}/recordings/${id}`;
  }

  private async chooseTargets(params: RecordingParams): Promise<ProcessInfo[]> {
    const { config } = this.deps;
    const processes = await this.deps.listProcesses(config.mode === 'pod');
    return selectProcesses(processes, params, {
      mode: config.mode,
      ...(config.podUid === undefined ? {} : { podUid: config.podUid }),
      selfPid: this.deps.selfPid,
      nestedPidNamespace: config.mode === 'pod' && (await this.deps.nestedPidNamespace()),
    });
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

  private launch(status: RecordingStatus, dir: string, targets: ProcessInfo[], plan: RecordingPlan): void {
    const { config, timers } = this.deps;
    const perf = startPerfRecord(
      { spawn: this.deps.spawn, timers, fileSize: (p) => this.deps.fileSize(p) },
      plan.perf,
    );
    // perf.data may grow to its cap while other writers (the binary copies) ask the budget.
    const release = this.budget.reserve(plan.perf.outputFile, plan.perf.maxBytes);
    void perf.done.finally(release);
    // The image is pulled while perf records, so the script stage does not wait for it.
    const mount = plan.image === undefined ? undefined : this.mountImageOf(status.id, plan.image, dir);
    const precached = plan.precacheBinaries
      ? cacheTargetBinaries(this.deps.run, {
          perfPath: config.perfPath,
          buildIdDir: `${dir}/buildid`,
          workDir: `${dir}/binaries`,
          pids: plan.perf.pids,
          free: () => this.budget.free(),
        })
          .then(({ skippedBytes }) => skippedBytes)
          .catch(() => 0)
      : Promise.resolve(0);
    const work = this.finish(status.id, dir, targets, plan, { perf: perf.done, mount, precached });
    this.running = {
      id: status.id,
      dir,
      targets,
      stopPerf: () => perf.stop('stopped'),
      settled: this.settle(status.id, dir, work),
    };
  }

  /** Profiler bpftrace: the scoped program instead of perf, then the same upload and bookkeeping. */
  private launchBpftrace(status: RecordingStatus, dir: string, targets: ProcessInfo[]): void {
    const { config } = this.deps;
    const id = status.id;
    const run = startBpftraceRecording(
      {
        spawn: this.deps.spawn,
        timers: this.deps.timers,
        report: (event) => this.update(id, event),
        budget: this.budget,
        pidNamespaceOf: this.deps.pidNamespaceOf ?? ((pid) => readPidNamespace(pid)),
      },
      {
        params: status.params,
        targets,
        dir,
        bpftracePath: config.bpftracePath,
        maxBytes: config.maxPerfDataBytes,
        title: `Furnace: ${config.podNamespace}/${config.podName}`,
        name: `${config.podNamespace}/${config.podName} ${id}`,
      },
    );
    const work = run.done.then(async () => {
      await this.upload(id, dir);
      this.update(id, { type: 'done', at: new Date(this.deps.timers.now()) });
    });
    this.running = { id, dir, targets, stopPerf: () => run.stop(), settled: this.settle(id, dir, work) };
  }

  /** A failed recording uploads what it has; either way the sidecar is free again and old recordings go. */
  private settle(id: string, dir: string, work: Promise<void>): Promise<void> {
    return work
      .catch((error: Error) => {
        this.update(id, { type: 'failed', error: error.message, at: new Date(this.deps.timers.now()) });
        return this.upload(id, dir, 'failed');
      })
      .finally(() => {
        this.running = undefined;
      })
      .then(() => this.prune())
      .catch((error: Error) => this.deps.log('pruning old recordings failed', { error: error.message }));
  }

  private mountImageOf(id: string, image: string, dir: string): Promise<ImageMount | Error> {
    const { config } = this.deps;
    return mountImage(this.deps.run, {
      podmanPath: config.podmanPath,
      image,
      ...(config.pullSecretPath === undefined ? {} : { pullSecretPath: config.pullSecretPath }),
      mirrors: config.registryMirrors,
      insecureRegistries: config.insecureRegistries,
      workDir: dir,
      containerName: `furnace-symbols-${id}`,
      ...(config.storageBudgetBytes === undefined
        ? {}
        : {
            storage: {
              dir: SIDECAR_MOUNT_PATHS.containerStorageDir,
              budgetBytes: config.storageBudgetBytes,
              usage: diskUsage,
            },
          }),
    }).catch((error: Error) => error);
  }

  /** Waits for perf, then runs the pipeline with what came along; always cleans up what it made. */
  private async finish(
    id: string,
    dir: string,
    targets: ProcessInfo[],
    plan: RecordingPlan,
    pending: PendingWork,
  ): Promise<void> {
    const maps = await startJitMapPoller(this.deps.timers, targets, this.deps.jitMaps);
    const result = await pending.perf.finally(() => maps.finish());
    let image: ImageMount | Error | undefined;
    try {
      const skipped = await pending.precached;
      if (skipped > 0)
        this.update(id, {
          type: 'warning',
          message: `${skipped} bytes of the targets' binaries were not cached, to stay within the disk budget`,
        });
      image = await pending.mount;
      this.checkPerf(id, result, image, plan.perf.maxBytes);
      await renderRecording(
        {
          spawn: this.deps.spawn,
          run: this.deps.run,
          report: (event) => this.update(id, event),
          budget: this.budget,
        },
        {
          perfPath: this.deps.config.perfPath,
          dir,
          buildIdDir: `${dir}/buildid`,
          ...(image === undefined || image instanceof Error ? {} : { imageRoot: image.root }),
          title: plan.title,
          subtitle: plan.subtitle(result.reason),
          name: plan.name,
        },
      );
    } finally {
      await maps.remove();
      await rm(`${dir}/buildid`, { recursive: true, force: true });
      await rm(`${dir}/binaries`, { recursive: true, force: true });
      if (image !== undefined && !(image instanceof Error)) {
        await image
          .cleanup()
          .catch((error: Error) => this.deps.log('image cleanup failed', { id, error: error.message }));
      }
    }
    await this.upload(id, dir);
    this.update(id, { type: 'done', at: new Date(this.deps.timers.now()) });
  }

  /** Fails the recording when perf left nothing usable; warns when it was cut short or lacks image symbols. */
  private checkPerf(
    id: string,
    result: PerfRecordResult,
    image: ImageMount | Error | undefined,
    cap: number,
  ): void {
    if (!result.ok) {
      const how = result.signal ?? `exit ${result.exitCode ?? '?'}`;
      throw new Error(`perf record failed (${how}): ${result.stderr || 'no output'}`);
    }
    if (result.reason === 'size-cap') {
      const why = cap < this.deps.config.maxPerfDataBytes ? ', a share of the free disk budget' : '';
      this.update(id, {
        type: 'warning',
        message: `perf.data reached its size cap (${cap} bytes${why}): recording stopped early`,
      });
    }
    if (image instanceof Error)
      this.update(id, { type: 'warning', message: `symbols from the image: ${image.message}` });
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
        token: () => this.deps.serverToken(),
        readCa: () => this.deps.readServerCa?.() ?? Promise.resolve(config.serverCa),
      },
      { ...config, serverUrl: config.serverUrl, now: new Date(this.deps.timers.now()) },
      { status: this.get(id), dir, outcome },
      (fraction) => this.update(id, { type: 'progress', fraction }),
    );
    for (const message of warnings) this.update(id, { type: 'warning', message });
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
