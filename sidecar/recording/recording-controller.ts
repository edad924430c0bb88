// Drives one recording at a time through the state machine: plan with the chosen profiler (perf, pprof,
// auto, …), run it, render its stacks, upload, keep. Each recording's state is journaled beside its files
// (recording-journal.ts), so a restarted recorder finishes what it was doing and delivers what the server
// has not taken yet (recording-recovery.ts).
import { FurnaceError } from '../../core/contract/errors.ts';
import type { RecordingParams } from '../../core/contract/recording-params.ts';
import type { ArtifactName } from '../../core/contract/names.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { createDiskBudget, diskUsage, type DiskBudget } from '../host/disk-budget.ts';
import { renderStacks } from './render-artifacts.ts';
import { isStageEvent, treeWritingContext } from './early-tree.ts';
import { recordingExports } from './export-meta.ts';
import { createPerfProfiler } from '../profilers/perf/perf-profiler.ts';
import { namespaceSymbols } from './namespace-symbols.ts';
import { resymbolize, resymbolizeRefusal } from './resymbolize.ts';
import type { EndCause, ProfileOutput, ProfilerRun, ProfilerSet } from '../profilers/profiler.ts';
import type { SelectionRequest } from '../host/process-select.ts';
import { matchingProcesses } from './target-selection.ts';
import type { ProcessMatches } from '../../core/contract/processes.ts';
import { evictOldRecordings } from './retention.ts';
import { isActive, withLiveProgress } from './recording-machine.ts';
import { RecordingSender, type UploadOutcome } from './recording-sender.ts';
import { applyRecorderEvent, type WarningsByKind } from './warning-kinds.ts';
import { StartKeys } from './start-keys.ts';
import { JournalWriter, type JournalRecord } from './recording-journal.ts';
import { Deliveries } from './deliveries.ts';
import { endReasonOf } from './end-reason.ts';
import { recordingFindings } from './recording-findings.ts';
import type { RecordingEvent } from '../recording-events.ts';
import { ARTIFACT_WAIT_MS, ArtifactWaits } from './artifact-waits.ts';
import type { ControllerDeps } from './controller-deps.ts';
import { recoverRecordings } from './recording-recovery.ts';
import { assertCanStart, planRecording } from './recording-start.ts';

export type { ControllerDeps } from './controller-deps.ts';

interface Running {
  id: string;
  stop(): void;
  settled: Promise<void>;
}

export class RecordingController {
  private recordings: RecordingStatus[] = [];
  private starting: string | undefined;
  private readonly startKeys = new StartKeys<RecordingStatus>();
  private running: Running | undefined;
  private readonly budget: DiskBudget;
  private readonly profilers: ProfilerSet;
  private readonly journal: JournalWriter;
  /** Whether the catalog has each recording; `pending` ones are sent again until it takes them. */
  private readonly delivery: Deliveries;
  private readonly sender: RecordingSender;
  /** Which of each recording's warnings each kind wrote (warning-kinds.ts); journaled with its status. */
  private readonly warningKinds = new Map<string, WarningsByKind>();
  private readonly stopRequested = new Set<string>();
  // Recordings whose profiler wrote the compact tree itself (RunContext.writeTree).
  private readonly treeWritten = new Set<string>();
  /** When each recording's record stage ended (its first processing stage began), ms. */
  private readonly recordEndedAt = new Map<string, number>();
  private closed = false;
  /** The recording being symbolized again, if one is (one at a time, never beside a running recording). */
  private resymbolizing: Promise<void> | undefined;
  private readonly artifactWaits: ArtifactWaits;

  private readonly deps: ControllerDeps;

  constructor(deps: ControllerDeps) {
    this.deps = deps;
    this.budget =
      deps.budget ??
      createDiskBudget(deps.config.dataDir, deps.config.diskBudgetBytes, {
        usage: diskUsage,
        size: (path) => deps.fileSize(path),
      });
    const perf = createPerfProfiler({
      ...deps,
      budget: this.budget,
      ...namespaceSymbols(deps, this.budget),
    });
    this.profilers = { ...deps.profilers?.(this.budget, perf), perf };
    this.artifactWaits = new ArtifactWaits(deps.timers);
    this.journal = new JournalWriter((message, fields) => deps.log(message, fields));
    this.delivery = new Deliveries({
      timers: deps.timers,
      random: () => deps.random(),
      ready: (ids) => ids.filter((id) => !isActive(this.get(id))),
      resend: (id) => {
        const outcome = this.get(id).state === 'failed' ? 'failed' : 'done';
        return this.upload(id, this.recordingDir(id), outcome);
      },
    });
    this.sender = new RecordingSender({
      ...{ deps, delivery: this.delivery, get: (id) => this.get(id), closing: () => this.closed },
      ...{ update: (id, event) => this.update(id, event), persist: (id) => this.persist(id) },
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

  /**
   * Stops recording early; perf's samples so far are processed as usual (docs/profilers.md says what each
   * profiler keeps). Stopping a finished recording is a no-op.
   */
  stop(id: string): RecordingStatus {
    const status = this.get(id);
    if (this.running?.id === id && status.state === 'recording') {
      this.stopRequested.add(id);
      this.running.stop();
    }
    return this.get(id);
  }

  artifactPath(id: string, name: ArtifactName): string {
    const status = this.get(id);
    if (!status.artifacts.includes(name)) {
      throw new FurnaceError('ERR_NOT_FOUND', `recording ${id} has no ${name} (yet)`, { id, artifact: name });
    }
    return `${this.recordingDir(id)}/${name}`;
  }

  /** Symbolizes a finished recording again (resymbolize.ts); answers at once, its warnings say when done. */
  resymbolize(id: string): RecordingStatus {
    const status = this.get(id);
    const profiler = this.profilers[status.profiler ?? 'perf'];
    const busy = this.resymbolizing ?? this.running ?? this.starting;
    const refusal = resymbolizeRefusal(status, profiler, busy !== undefined);
    if (refusal) throw refusal;
    const dir = this.recordingDir(id);
    this.resymbolizing = resymbolize({
      ...{ dir, status, profiler, budget: this.budget, where: this.deps.config },
      ...{ now: () => this.deps.timers.now(), log: (message, fields) => this.deps.log(message, fields) },
      report: (event) => this.update(id, event),
      upload: () => this.upload(id, dir, 'again'),
    }).finally(() => (this.resymbolizing = undefined));
    return this.get(id);
  }

  /** Resolves once recording `id` lists `name`, is no longer active, or after `ms` (artifact-waits.ts). */
  whenArtifact(id: string, name: ArtifactName, ms = ARTIFACT_WAIT_MS): Promise<void> {
    const current = this.recordings.find((r) => r.id === id);
    return this.artifactWaits.wait(id, name, current, ms);
  }

  /** Resolves once recording `id` is done or failed (or unknown), or after `ms` (artifact-waits.ts). */
  whenEnded(id: string, ms: number): Promise<void> {
    const current = this.recordings.find((r) => r.id === id);
    return this.artifactWaits.wait(id, undefined, current, ms);
  }

  /** Resolves when the current recording (if any) has finished processing. */
  async settled(): Promise<void> {
    await this.running?.settled;
    await this.resymbolizing;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.delivery.close();
    this.artifactWaits.close();
    this.running?.stop();
    await this.settled();
    await this.journal.flushed();
  }

  /**
   * Starts a recording with parameters already checked against the limits (the route did that); a start
   * with the key of an earlier one answers that recording (start-keys.ts).
   */
  start(params: RecordingParams, startKey?: string): Promise<RecordingStatus> {
    return this.startKeys.once(
      startKey,
      () => this.startNew(params),
      (id) => (this.recordings.some((r) => r.id === id) ? this.get(id) : undefined),
    );
  }

  private async startNew(params: RecordingParams): Promise<RecordingStatus> {
    assertCanStart(this.starting, this.recordings, this.resymbolizing !== undefined);
    const requestedAtMs = this.deps.timers.now();
    const id = this.deps.newId();
    this.starting = id;
    try {
      const dir = this.recordingDir(id);
      const start = { id, dir, params, requestedAtMs };
      const { status, planned } = await planRecording({ deps: this.deps, profilers: this.profilers, start });
      this.recordings.push(status);
      for (const message of planned.warnings) this.update(id, { type: 'warning', message });
      // perf starts while the journal is written, and the journal is on disk before the start is answered:
      // a recorder that dies now still knows of it (one that dies before has a directory without a journal,
      // which its next start removes: recover()).
      const saved = this.persist(id);
      this.launch(id, dir, planned.run(this.runContext(id, dir)));
      await saved;
      return this.get(id);
    } finally {
      this.starting = undefined;
    }
  }

  /**
   * Reads back what a previous run of this recorder left (recording-recovery.ts): the recording it was
   * running is finished from disk or failed, what the catalog never took is uploaded again. Call once,
   * before serving.
   */
  async recover(): Promise<void> {
    await recoverRecordings({
      ...{ recordingsDir: `${this.deps.config.dataDir}/recordings`, now: () => this.deps.timers.now() },
      ...{ log: (message, fields) => this.deps.log(message, fields), adopt: (record) => this.adopt(record) },
      ...{ recordingDir: (id) => this.recordingDir(id), runContext: (id, dir) => this.runContext(id, dir) },
      profilerOf: (status) => this.profilers[status.profiler ?? 'perf'],
      ...{ update: (id, event) => this.update(id, event), replace: (id, status) => this.replace(id, status) },
      upload: (id, dir, outcome) => this.upload(id, dir, outcome),
      launch: (id, dir, run) => this.launch(id, dir, run),
      sendPending: () => this.delivery.schedule(0),
    });
  }

  /** Sends again every finished recording the catalog has not taken; called on a timer and on (re)registration. */
  retryUploads(): void {
    this.delivery.retry();
  }

  /** Lists a recording its journal kept (recover), with its warnings' kinds and its upload state. */
  private adopt({ status, upload, warningKinds }: JournalRecord): void {
    this.recordings.push(status);
    if (warningKinds !== undefined) this.warningKinds.set(status.id, warningKinds);
    this.delivery.set(status.id, upload);
  }

  private recordingDir(id: string): string {
    return `${this.deps.config.dataDir}/recordings/${id}`;
  }

  /** Which processes a start with these settings would record now (GET /processes); nothing is started. */
  matchingProcesses(request: SelectionRequest): Promise<ProcessMatches> {
    return matchingProcesses(this.deps, request);
  }

  /** What a profiler reports through, and writes the compact tree with as soon as it has it. */
  private runContext(id: string, dir: string): ReturnType<typeof treeWritingContext> {
    const deps = { report: (event: RecordingEvent) => this.update(id, event), budget: this.budget };
    return treeWritingContext(deps, dir, () => this.treeWritten.add(id));
  }

  private update(id: string, event: RecordingEvent): void {
    const index = this.recordings.findIndex((r) => r.id === id);
    const status = this.recordings[index];
    if (status === undefined) return;
    try {
      const next = applyRecorderEvent({ status, kinds: this.warningKinds.get(id) ?? {} }, event);
      this.recordings[index] = next.status;
      this.warningKinds.set(id, next.kinds);
    } catch (error) {
      this.deps.log('ignored a recording event', { id, error: (error as Error).message });
      return;
    }
    // The tree's arrival too: the record page draws it before the stages that follow (bench:stop-to-graph).
    if (isStageEvent(event)) this.deps.log('recording stage', { id, ...event });
    if (event.type === 'stage' && !this.recordEndedAt.has(id))
      this.recordEndedAt.set(id, this.deps.timers.now());
    if (event.type !== 'progress') void this.persist(id);
    this.artifactWaits.changed(id, this.recordings[index]);
  }

  /** Sets a recording's status outright (a restart resuming it); journaled like any change. */
  private replace(id: string, status: RecordingStatus): void {
    const index = this.recordings.findIndex((r) => r.id === id);
    if (index >= 0) this.recordings[index] = status;
    void this.persist(id);
    this.artifactWaits.changed(id, status);
  }

  private persist(id: string): Promise<void> {
    return this.journal.save(this.recordingDir(id), id, () => {
      const status = this.recordings.find((r) => r.id === id);
      if (status === undefined) return undefined;
      const upload =
        this.delivery.state(id) ?? (this.deps.config.serverUrl === undefined ? 'none' : 'pending');
      const warningKinds = this.warningKinds.get(id) ?? {};
      return { status, upload, ...(Object.keys(warningKinds).length === 0 ? {} : { warningKinds }) };
    });
  }

  private launch(id: string, dir: string, run: ProfilerRun): void {
    const { timers, config } = this.deps;
    const where = `${config.podNamespace}/${config.podName}`;
    const settled = run.done
      .then((output) => this.finish(id, dir, where, output))
      .catch(async (error: Error) => {
        this.update(id, { type: 'failed', error: error.message, at: new Date(timers.now()) });
        await this.upload(id, dir, 'failed');
      })
      .finally(() => {
        this.running = undefined;
        this.treeWritten.delete(id);
      })
      .then(() => this.prune())
      .catch((error: Error) => this.deps.log('pruning old recordings failed', { error: error.message }));
    this.running = { id, stop: () => run.stop(), settled };
  }

  /** Renders the profiler's stacks into the graphs, uploads, and marks the recording done. */
  private async finish(id: string, dir: string, where: string, output: ProfileOutput): Promise<void> {
    this.noteEnd(id, output.ended);
    const status = this.get(id);
    // A done recording ended when its sampling did, however long processing and uploads took after.
    const endedAt = new Date(this.recordEndedAt.get(id) ?? this.deps.timers.now());
    const recorded = (endedAt.getTime() - Date.parse(status.startedAt)) / 1000;
    const findings = recordingFindings(status, output.stacks, recorded);
    this.update(id, { type: 'warnings', kind: 'diagnosis', messages: findings });
    await renderStacks(
      { report: (event) => this.update(id, event), budget: this.budget },
      {
        dir,
        title: `Furnace: ${where}`,
        subtitle: output.subtitle,
        name: `${where} ${id}`,
        exports: recordingExports(this.get(id), this.deps.config, this.deps.timers.now()),
        timeline: output.timeline,
        treeWritten: this.treeWritten.delete(id),
      },
      output.stacks,
    );
    // A start asked ahead and stopped before it began spans no time: it began where it ended.
    const began =
      endedAt.getTime() < Date.parse(status.startedAt) ? { startedAt: endedAt.toISOString() } : {};
    this.replace(id, { ...this.get(id), ...began, endedAt: endedAt.toISOString() });
    await this.upload(id, dir);
    this.update(id, { type: 'done', at: endedAt });
  }

  /** Says why recording ended, unless a restart already did (end-reason.ts). */
  private noteEnd(id: string, cause: EndCause | undefined): void {
    const status = this.get(id);
    if (status.endReason !== undefined) return;
    const endedAtMs = this.recordEndedAt.get(id) ?? this.deps.timers.now();
    const end = { cause, endedAtMs, requested: this.stopRequested.delete(id), closing: this.closed };
    this.update(id, { type: 'ended', reason: endReasonOf(status, end) });
  }

  private upload(id: string, dir: string, outcome: UploadOutcome = 'done'): Promise<boolean> {
    return this.sender.upload(id, dir, outcome);
  }

  private async prune(): Promise<void> {
    const { keepRecordings, keepBytes } = this.deps.config;
    const evicted = await evictOldRecordings(
      this.recordings,
      (id) => this.recordingDir(id),
      { keep: keepRecordings, keepBytes },
      (id) => this.delivery.isPending(id),
    );
    this.recordings = this.recordings.filter((r) => !evicted.includes(r.id));
    for (const id of evicted) {
      this.delivery.forget(id);
      this.warningKinds.delete(id);
    }
  }
}
