// What a profiler is to the recording controller: it plans (checks and decides before anything runs; a
// refusal answers the start request), runs (records, and may be stopped early), and hands back folded
// stacks; the controller renders them into the same graphs and uploads every artifact. perf, pprof, auto
// and bpftrace are the profilers.
import type {
  CallGraphRun,
  ProfilerChoice,
  ProfilerName,
  RecordingParams,
} from '../../core/contract/recording-params.ts';
import type { ProcessInfo } from '../host/process-select.ts';
import type { RecordingEvent } from '../recording-events.ts';
import type { FoldedStacks } from '../../core/stacks/folded.ts';
import type { TimedSamples } from '../../core/stacks/timeline.ts';
import type { CompactFlameTree } from '../../core/render/flame-tree-compact.ts';

export interface PlanContext {
  id: string;
  /** The recording's directory (made once the plan is accepted); artifacts go here by their names. */
  dir: string;
  params: RecordingParams;
  /** The processes the request selects (pod or pid/pattern rules); throws when none match. */
  chooseTargets(): Promise<ProcessInfo[]>;
}

export interface RunContext {
  /** Progress, stages (record, then script or collapse), artifacts written, warnings. */
  report(event: RecordingEvent): void;
  /**
   * Writes the compact flame tree (flame-tree.bin.gz) as soon as the profiler has it, before its stacks are
   * joined and its files cleaned up: the record page draws it while the rest is rendered. A profiler that
   * does not call it gets its tree built from the stacks, as the first artifact rendered.
   */
  writeTree?: (tree: CompactFlameTree) => Promise<void>;
}

/**
 * Why recording ended: the requested duration, a stop, the targets exiting, or a size cap. The controller
 * puts it in words (recording/end-reason.ts); without it, a stop or the clock.
 */
/**
 * `shutdown`: the recorder stopped it on its way out (SIGTERM, Ctrl-C); `interrupted`: a signal ended perf;
 * `stopped-before-start`: a start asked ahead (`startAt`) was stopped before sampling began.
 */
export type EndCause =
  'duration' | 'stopped' | 'exited' | 'size-cap' | 'interrupted' | 'shutdown' | 'stopped-before-start';

export interface ProfileOutput {
  /** undefined when the profiler's output holds no stacks (a bpftrace program that only counts): no graph. */
  stacks: FoldedStacks | undefined;
  /** The samples in the order taken, where the profiler knows it (perf): speedscope's Time Order. */
  timeline?: TimedSamples;
  /** The graph's subtitle: what was recorded and how it ended. */
  subtitle: string;
  ended?: EndCause;
}

export interface ProfilerRun {
  /** Ends recording early; what each profiler keeps is in docs/profilers.md. */
  stop(): void;
  /** The stacks once recording and the profiler's own processing are over; it has cleaned up its files. */
  done: Promise<ProfileOutput>;
}

export interface PlannedProfile {
  /** The profiler that will run (auto resolved). */
  profiler: ProfilerName;
  /** The processes recorded, shown in the status (empty when the profiler does not work by process). */
  targets: ProcessInfo[];
  /** How perf walks the stacks and why (perf only): the request's callGraph, or what `auto` chose. */
  callGraph?: { used: CallGraphRun; reason: string };
  warnings: string[];
  /**
   * The profiler begins sampling at `params.startAt` itself once run (perf: started with its events off,
   * switched on then), so it is run at once; otherwise a start ahead is run when that time comes
   * (delayed-start.ts).
   */
  startsOnTime?: boolean;
  run(context: RunContext): ProfilerRun;
}

/** A recording the recorder was running when it stopped, as its journal left it. */
export interface ResumeContext {
  id: string;
  dir: string;
  params: RecordingParams;
  targets: readonly { pid: number; comm: string }[];
  /** How long to wait for files the profiler's own process may still be finishing, ms. */
  waitMs?: number;
}

/** A finished recording whose stacks are made again from what it kept, with the symbols there are now. */
export interface ResymbolizeContext {
  id: string;
  /** The recording's directory: what it kept (perf.data) is read there, nothing is written there. */
  dir: string;
  /** A directory of its own for the new files; the controller renders into it too, then moves them in. */
  workDir: string;
  /** What the recording was started with (`symbols: image` names its image's files as a source). */
  params: RecordingParams;
  /** The processes it recorded, as its status says them. */
  targets: readonly { pid: number; comm: string; container?: string }[];
  /** Stages, artifacts written into workDir, warnings. */
  report(event: RecordingEvent): void;
}

export interface Profiler {
  plan(context: PlanContext): Promise<PlannedProfile>;
  /**
   * The stacks of a finished recording made again from its kept data with the symbols there are now (a
   * namespace's upload, a debuginfod answer); undefined when it kept nothing to make them from.
   */
  resymbolize?(context: ResymbolizeContext): Promise<Pick<ProfileOutput, 'stacks' | 'timeline'> | undefined>;
  /**
   * Finishes a recording the recorder was running when it died, from what is on disk; undefined when this
   * profiler leaves nothing to finish from (the recording is then failed, saying so).
   */
  resume?(context: ResumeContext, run: RunContext): Promise<ProfilerRun | undefined>;
}

/** The profilers a sidecar offers, by the name a start request gives; `sched` by the profile type it asks. */
export type ProfilerSet = Partial<Record<ProfilerChoice | 'sched', Profiler>>;
