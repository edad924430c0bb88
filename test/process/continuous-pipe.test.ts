// The node agent's continuous perf pair with the real perf on a real cgroup: a busy shell in a simulated
// pod's container cgroup, the collector with its /proc scan, windows cut by the samples' wall-clock times.
// Windows follow one another on the pair's boundaries and hold the pod's samples; when perf record dies
// mid-window (SIGTERM from outside, as an operator's kill would) the window in progress is sent with what
// it had, ending where the pair ended, and the pair is started again once the retry time has passed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContinuousPlan, ContinuousWindowUpload } from '../../core/continuous/continuous-plan.ts';
import type { ChildLike, SpawnFn } from '../../sidecar/host/runtime.ts';
import { scanCgroups } from '../../sidecar/continuous/cgroup-scan.ts';
import { ContinuousCollector } from '../../sidecar/continuous/continuous-collector.ts';
import { spawn } from '../harness/child-processes.ts';
import { eventually } from '../harness/eventually.ts';
import { createPodCgroups, joinCgroupLine } from '../harness/pod-cgroups.ts';
import { startProcess } from '../harness/processes.ts';

const WINDOW_MS = 2000;

async function busyPod(t: Parameters<typeof startProcess>[0]): Promise<ContinuousPlan> {
  const podUid = randomUUID();
  const cgroups = await createPodCgroups('systemd', podUid, ['app']);
  const app = cgroups.containers.get('app');
  if (!app) throw new Error('no app container cgroup');
  const busy = startProcess(t, 'sh', [
    '-c',
    `${joinCgroupLine(app.dir)} && exec sh -c 'while :; do :; done'`,
  ]);
  t.after(async () => {
    await busy.stop();
    await cgroups.remove();
  });
  await sleep(200);
  const target = { namespace: 'ns', pod: 'busy', podUid, workload: 'Pod/busy' };
  return {
    frequency: 99,
    windowSeconds: WINDOW_MS / 1000,
    targets: [{ ...target, containers: [{ name: 'app', id: app.id }] }],
  };
}

function samplesOf(window: ContinuousWindowUpload): number {
  return window.profiles
    .flatMap((p) => p.folded.split('\n').filter(Boolean))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('the continuous perf pair', () => {
  it('cuts windows on its boundaries, keeps the window a dying pair was in, and restarts', async (t) => {
    const plan = await busyPod(t);
    const records: ChildLike[] = [];
    const spawnPerf: SpawnFn = (command, args, options) => {
      const child = spawn(command, args, options) as unknown as ChildLike;
      if (args.includes('record')) records.push(child);
      return child;
    };
    const uploads: ContinuousWindowUpload[] = [];
    const logs: string[] = [];
    const collector = new ContinuousCollector({
      spawn: spawnPerf,
      perfPath: 'perf',
      node: 'node-1',
      scan: (targets) => scanCgroups(targets),
      upload: (window) => Promise.resolve(void uploads.push(window)),
      log: (message, fields) => logs.push(`${message} ${JSON.stringify(fields ?? {})}`),
      now: () => Date.now(),
      maxPendingWindows: 8,
      graceMs: 3000,
      retryMs: 1000,
    });
    t.after(() => collector.close());
    const until = (what: string, done: () => boolean) =>
      eventually(
        async () => {
          await collector.drain();
          return done() ? true : undefined;
        },
        60_000,
        `${what}; logs:\n${logs.join('\n')}`,
        200,
      );

    await collector.apply(plan);
    await until('two windows of the first pair', () => uploads.length >= 2);
    const [first, second] = uploads;
    assert.ok(first && second);
    assert.equal(first.end - first.start, WINDOW_MS, 'a whole window');
    assert.equal((second.start - first.start) % WINDOW_MS, 0, 'windows start on the pair’s boundaries');
    assert.deepEqual(
      first.profiles.map((p) => [p.pod, p.container]),
      [['busy', 'app']],
    );
    assert.match(first.profiles[0]?.folded ?? '', /^sh;/m, 'the busy shell’s stacks, the PID taken out');

    // Mid-window: a third of a window past a boundary.
    const origin = first.start;
    const elapsed = (Date.now() - origin) % WINDOW_MS;
    await sleep((WINDOW_MS - elapsed + WINDOW_MS / 3) % WINDOW_MS);
    const killedAt = Date.now();
    records[0]?.kill('SIGTERM');
    await until('the pair to end', () => !collector.running);
    assert.ok(
      logs.some((line) => line.startsWith('continuous perf exited')),
      logs.join('\n'),
    );
    const last = uploads.at(-1);
    assert.ok(last, 'windows of the first pair');
    assert.ok(last.start <= killedAt && killedAt < last.start + WINDOW_MS, 'the window the pair died in');
    assert.ok(last.end >= killedAt && last.end <= last.start + WINDOW_MS, 'ending where the pair ended');
    assert.ok(samplesOf(last) > 0, 'with the samples it had');
    const before = uploads.length;

    await collector.apply(plan);
    assert.equal(records.length, 1, 'not restarted before the retry time');
    await sleep(1000);
    await collector.apply(plan);
    assert.equal(records.length, 2, 'restarted after it');
    await until('a window of the second pair', () => uploads.length > before);
    const restarted = uploads[before];
    assert.ok(restarted && restarted.start > last.start, 'a window of the new pair');
    assert.ok(samplesOf(restarted) > 0);
  });
});
