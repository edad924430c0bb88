// The node agent's one perf pair for continuous profiling, with the real perf: an empty plan runs none, and a
// perf that cannot run (here: a cgroup that does not exist) is not restarted on every poll but once the
// retry time has passed; the log says why. The clock is the test's; the plan and the cgroup scan are given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_PLAN, type ContinuousPlan } from '../../../core/continuous/continuous-plan.ts';
import type { ChildLike, SpawnFn } from '../../../sidecar/host/runtime.ts';
import { ContinuousCollector, PERF_RETRY_MS } from '../../../sidecar/continuous/continuous-collector.ts';
import { spawn } from '../../harness/child-processes.ts';
import { eventually } from '../../harness/eventually.ts';

const PLAN: ContinuousPlan = {
  frequency: 19,
  windowSeconds: 3,
  targets: [
    {
      namespace: 'ns',
      pod: 'p',
      podUid: 'abc',
      workload: 'Pod/p',
      containers: [{ name: 'app', id: 'a'.repeat(64) }],
    },
  ],
};

describe('the one perf of continuous profiling', () => {
  it('runs none for an empty plan, and retries a failed perf only after the retry time', async (t) => {
    let time = 1_000_000;
    const started: ChildLike[] = [];
    const spawnPerf: SpawnFn = (command, args, options) => {
      const child = spawn(command, args, options) as unknown as ChildLike;
      if (args.includes('record')) started.push(child);
      return child;
    };
    const logs: string[] = [];
    const exits: Record<string, unknown>[] = [];
    const collector = new ContinuousCollector({
      spawn: spawnPerf,
      perfPath: 'perf',
      node: 'node-1',
      scan: (targets) =>
        Promise.resolve({
          cgroups: targets.length > 0 ? ['furnace-test-no-such-cgroup'] : [],
          owners: new Map(),
        }),
      upload: () => Promise.reject(new Error('nothing is uploaded here')),
      log: (message, fields) => {
        logs.push(message);
        if (message === 'continuous perf exited') exits.push(fields ?? {});
      },
      now: () => time,
      maxPendingWindows: 4,
    });
    t.after(() => collector.close());
    await collector.apply(EMPTY_PLAN);
    assert.equal(started.length, 0, 'no perf without a selected container');

    await collector.apply(PLAN);
    assert.equal(started.length, 1);
    await eventually(() => Promise.resolve(collector.running ? undefined : true), 10_000, 'perf to fail');
    assert.ok(logs.includes('continuous perf exited'), logs.join('\n'));
    assert.match(
      String(exits[0]?.error),
      /^perf record failed \(exit \d+\): .*furnace-test-no-such-cgroup/,
      'the log says perf record failed, and on what',
    );
    time += 1000;
    await collector.apply(PLAN);
    assert.equal(started.length, 1, 'not restarted on the next poll');
    time += PERF_RETRY_MS;
    await collector.apply(PLAN);
    assert.equal(started.length, 2, 'tried again once the retry time has passed');
  });
});
