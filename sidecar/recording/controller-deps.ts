// What the recording controller is given: the recorder's configuration, its ways to run programs and reach
// the server, and the optional parts of each mode. In a file of its own so that the controller's helpers
// (target-selection.ts) name it without importing the controller.
import type { SidecarConfig } from '../config.ts';
import type { HttpSend } from '../server-link/http-client.ts';
import type { JitMapOptions } from '../symbols/jit-maps.ts';
import type { KernelSymbols } from '../symbols/kernel-symbols.ts';
import type { DiskBudget } from '../host/disk-budget.ts';
import type { PerfProfilerDeps } from '../profilers/perf/perf-profiler.ts';
import type { Profiler, ProfilerSet } from '../profilers/profiler.ts';
import type { ProcessInfo } from '../host/process-select.ts';
import type { LoopTimers, RunCommand, SpawnFn } from '../host/runtime.ts';

/** `buildIdMmap` (probed at start-up, perhaps still running) and `symbolTree` (no CAP_SYS_ADMIN) go to perf as they are. */
export interface ControllerDeps extends Pick<PerfProfilerDeps, 'buildIdMmap' | 'symbolTree'> {
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
  /**
   * Why the server will never take this recording (the agent's grant expired or was lost), in words for
   * its entry; undefined while an upload can succeed. A refused recording is not sent again.
   */
  uploadRefusal?(recordingId: string): string | undefined;
  /** The server's artifact limit from registration, if it said; uploads skip larger files without sending them. */
  serverMaxArtifactBytes?(): number | undefined;
  /** The CA to trust for the server, read before each upload (server-ca.ts); else config.serverCa. */
  readServerCa?(): Promise<string | undefined>;
  log(message: string, fields?: Record<string, unknown>): void;
  jitMaps?: JitMapOptions;
  /** The copy of the kernel's symbols for perf script (symbols/kernel-symbols.ts); without it perf reads /proc. */
  kernelSymbols?: KernelSymbols;
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
  /** Whether this process may not read a target's memory maps (proc-table.ts); perf then records the others. */
  isMapsUnreadable?(pid: number): Promise<boolean>;
  /** Each process's CPU share now, in percent of one CPU (proc-table.ts), for GET /processes. */
  sampleCpuPercent?(pids: readonly number[]): Promise<Map<number, number>>;
}
