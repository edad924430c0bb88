// A recording with profiler `bpftrace`: the user's program scoped to the targets' PID namespaces (or,
// in the host's own namespace, their PIDs), run for the recording's duration, its output kept as
// bpftrace.txt, and its stack-keyed count maps rendered like any other profile.
import { createReadStream } from 'node:fs';
import { readlink, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { BpftraceMapFolder } from '../core/bpftrace-maps.ts';
import { INIT_PID_NAMESPACE, scopeBpftraceProgram, type BpftraceScope } from '../core/bpftrace-scope.ts';
import type { RecordingParams } from '../core/recording-params.ts';
import type { FoldedStacks } from '../core/stacks/collapse-perf.ts';
import { renderFoldedStacks } from './pipeline.ts';
import type { DiskBudget } from './disk-budget.ts';
import type { SpawnFn } from './perf-runner.ts';
import type { ProcessInfo } from './process-select.ts';
import type { RecordingEvent } from './recording-machine.ts';
import type { LoopTimers } from './registration.ts';
import { startBpftrace, type BpftraceRun, type BpftraceRunResult } from './bpftrace-runner.ts';

export interface BpftraceRecordingDeps {
  spawn: SpawnFn;
  timers: LoopTimers;
  report(event: RecordingEvent): void;
  budget: Pick<DiskBudget, 'free'>;
  /** The inode number of a process's PID namespace (/proc/PID/ns/pid). */
  pidNamespaceOf: (pid: number) => Promise<number>;
}

export interface BpftraceRecordingInput {
  params: RecordingParams;
  targets: readonly ProcessInfo[];
  dir: string;
  bpftracePath: string;
  /** The most output kept (the sidecar's perf.data cap); half the free disk budget at most. */
  maxBytes: number;
  title: string;
  name: string;
}

/** Reads /proc/PID/ns/pid, a link such as `pid:[4026532183]`. */
export async function readPidNamespace(pid: number, procRoot = '/proc'): Promise<number> {
  const link = await readlink(`${procRoot}/${pid}/ns/pid`);
  const inode = /^pid:\[(\d+)\]$/.exec(link)?.[1];
  if (inode === undefined) throw new Error(`${procRoot}/${pid}/ns/pid is ${link}, not a PID namespace`);
  return Number(inode);
}

/** The targets' PID namespaces; targets in the host's own namespace count by their PIDs instead. */
export async function scopeOfTargets(
  targets: readonly ProcessInfo[],
  pidNamespaceOf: (pid: number) => Promise<number>,
): Promise<BpftraceScope> {
  const namespaces = await Promise.all(targets.map((t) => pidNamespaceOf(t.pid)));
  const pids = targets.filter((_, i) => namespaces[i] === INIT_PID_NAMESPACE).map((t) => t.pid);
  return { pidNamespaces: namespaces.filter((ns) => ns !== INIT_PID_NAMESPACE), pids };
}

async function foldOutput(path: string): Promise<FoldedStacks> {
  const folder = new BpftraceMapFolder();
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) folder.push(line);
  return folder.result();
}

function checkResult(deps: BpftraceRecordingDeps, result: BpftraceRunResult, maxBytes: number): void {
  if (!result.ok) {
    const how = result.signal ?? `exit ${result.exitCode ?? '?'}`;
    throw new Error(`bpftrace failed (${how}): ${result.stderr || 'no output'}`);
  }
  deps.report({ type: 'artifact', name: 'bpftrace.txt' });
  if (result.reason === 'size-cap')
    deps.report({
      type: 'warning',
      message: `bpftrace's output reached its size cap (${maxBytes} bytes): the program was stopped early`,
    });
  if (result.stderr !== '') deps.report({ type: 'warning', message: `bpftrace: ${result.stderr}` });
}

/** Starts the recording; `stop` ends it early (bpftrace prints its maps), `done` settles when it is rendered. */
export function startBpftraceRecording(
  deps: BpftraceRecordingDeps,
  input: BpftraceRecordingInput,
): { stop(): void; done: Promise<void> } {
  let run: BpftraceRun | undefined;
  let stopped = false;
  const done = (async () => {
    const program = input.params.bpftrace?.program;
    if (program === undefined) throw new Error('profiler bpftrace needs bpftrace.program');
    const scope = await scopeOfTargets(input.targets, deps.pidNamespaceOf);
    const programFile = `${input.dir}/program.bt`;
    await writeFile(programFile, scopeBpftraceProgram(program, scope));
    const maxBytes = Math.min(input.maxBytes, Math.floor((await deps.budget.free()) / 2));
    if (maxBytes < 4096)
      throw new Error(`the disk budget has no room for bpftrace's output (${maxBytes} bytes)`);
    if (stopped) throw new Error('the recording was stopped before bpftrace started');
    const outputFile = `${input.dir}/bpftrace.txt`;
    run = startBpftrace(
      { spawn: deps.spawn, timers: deps.timers },
      {
        bpftracePath: input.bpftracePath,
        programFile,
        outputFile,
        durationSeconds: input.params.durationSeconds,
        maxBytes,
      },
    );
    const result = await run.done;
    checkResult(deps, result, maxBytes);
    deps.report({ type: 'stage', stage: 'collapse' });
    const stacks = await foldOutput(outputFile);
    if (stacks.size === 0) return;
    const processes = input.targets.map((t) => `${t.comm} (${t.pid})`).join(', ');
    const subtitle = `bpftrace, ${input.params.durationSeconds} s max, ${processes} · ${result.reason}`;
    await renderFoldedStacks(
      deps,
      { dir: input.dir, title: input.title, subtitle, name: input.name },
      stacks,
    );
  })();
  return {
    stop: () => {
      stopped = true;
      run?.stop('stopped');
    },
    done,
  };
}
