// The node profiler: a Node.js target's own CPU profiler (V8's, as `node --cpu-prof` uses), reached
// through its inspector without a restart (node-inspector.ts), run for the recording's duration at the
// recording's frequency, and folded with JavaScript frames named `function (file:line)`. Every Node.js
// process among the targets is profiled at once; the inspector is closed again after each.
import { readlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { FurnaceError } from '../../../core/contract/errors.ts';
import type { FoldedStacks } from '../../../core/stacks/folded.ts';
import type { ProcessInfo } from '../../host/process-select.ts';
import {
  openInspector,
  startNodeProfile,
  type InspectorDeps,
  type NodeProfileKind,
  type ProfilingSession,
} from './node-inspector.ts';
import type { PlanContext, PlannedProfile, ProfileOutput, Profiler, RunContext } from '../profiler.ts';

export type NodeProfilerDeps = InspectorDeps;

/** A Node.js process by its command name or its program (`node`, `nodejs`, `node24`…). */
export function isNodeProcess(process: Pick<ProcessInfo, 'comm' | 'cmdline'>): boolean {
  const program = basename(process.cmdline.split(' ')[0] ?? '');
  return /^node(js)?(\d+)?$/.test(process.comm) || /^node(js)?(\d+)?$/.test(program);
}

/** Whether the target shares this recorder's network namespace (its inspector's loopback is ours). */
async function sharesNetwork(pid: number, procRoot: string): Promise<boolean> {
  const [own, theirs] = await Promise.all([
    readlink(`${procRoot}/self/ns/net`).catch(() => 'own'),
    readlink(`${procRoot}/${pid}/ns/net`).catch(() => 'theirs'),
  ]);
  return own === theirs;
}

async function nodeTargets(context: PlanContext, procRoot: string): Promise<ProcessInfo[]> {
  const targets = await context.chooseTargets();
  const nodes = targets.filter(isNodeProcess);
  if (nodes.length === 0) {
    const found = targets.map((t) => `${t.comm} (${t.pid})`).join(', ');
    throw new FurnaceError('ERR_INVALID_PARAMETER', `profiler node found no Node.js process among ${found}`, {
      field: 'profiler',
      value: 'node',
    });
  }
  for (const target of nodes) {
    if (!(await sharesNetwork(target.pid, procRoot)))
      throw new FurnaceError(
        'ERR_INVALID_PARAMETER',
        `profiler node reaches the inspector on the pod's loopback, and ${target.comm} (${target.pid}) is in another network namespace than this recorder`,
        { field: 'profiler', value: 'node' },
      );
  }
  return nodes;
}

interface Profiled {
  target: ProcessInfo;
  session: ProfilingSession;
}

async function finish(run: RunContext, profiled: Profiled[]): Promise<FoldedStacks> {
  const stacks: FoldedStacks = new Map();
  await Promise.all(
    profiled.map(async ({ target, session }) => {
      try {
        for (const [stack, count] of await session.stop(target.comm))
          stacks.set(stack, (stacks.get(stack) ?? 0) + count);
      } catch (error) {
        run.report({
          type: 'warning',
          message: `no profile from ${target.comm} (${target.pid}): ${(error as Error).message}`,
        });
      } finally {
        if (!(await session.close()))
          run.report({
            type: 'warning',
            message: `the inspector of ${target.comm} (${target.pid}) still answers after the recording closed it`,
          });
      }
    }),
  );
  return stacks;
}

function runNode(
  deps: NodeProfilerDeps,
  context: PlanContext,
  targets: ProcessInfo[],
  run: RunContext,
): { stop(): void; done: Promise<ProfileOutput> } {
  let stopEarly: () => void = () => undefined;
  let stopped = false;
  const stoppedEarly = new Promise<void>((resolve) => (stopEarly = resolve));
  const { durationSeconds, frequency, profile } = context.params;
  const kind: NodeProfileKind =
    profile === 'heap'
      ? { type: 'heap' }
      : { type: 'cpu', intervalUs: Math.max(50, Math.round(1e6 / frequency)) };
  const done = (async (): Promise<ProfileOutput> => {
    const profiled: Profiled[] = [];
    try {
      for (const target of targets) {
        const opened = await openInspector(deps, target.pid);
        profiled.push({ target, session: await startNodeProfile(deps, opened, kind) });
      }
    } catch (error) {
      // The inspectors opened so far are closed again before the recording fails.
      await finish(run, profiled);
      throw error;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      stoppedEarly,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, durationSeconds * 1000))),
    ]);
    clearTimeout(timer);
    const stacks = await finish(run, profiled);
    const names = targets.map((t) => `${t.comm} (${t.pid})`).join(', ');
    return {
      stacks,
      subtitle:
        kind.type === 'cpu'
          ? `node CPU profile of ${names} through its inspector, every ${kind.intervalUs} µs`
          : `node heap profile of ${names} through its inspector: bytes allocated in ${durationSeconds} s and still live at its end`,
      ended: stopped ? 'stopped' : 'duration',
    };
  })();
  return {
    stop: () => {
      stopped = true;
      stopEarly();
    },
    done,
  };
}

export function createNodeProfiler(deps: NodeProfilerDeps): Profiler {
  return {
    async plan(context: PlanContext): Promise<PlannedProfile> {
      const targets = await nodeTargets(context, deps.procRoot ?? '/proc');
      return {
        profiler: 'node',
        targets,
        warnings: [],
        run: (run) => runNode(deps, context, targets, run),
      };
    },
  };
}
