// The node agent's continuous perf pair with the real perf on a real cgroup (a sleeping process in a
// simulated pod's container cgroup). Its perf script and perf record run with SIGPIPE ignored, read from
// the kernel's mask for each running perf, so that an addr2line that quits cannot kill perf script and end
// the pair (test/process/perf-script-addr2line.test.ts shows what that does to perf script). And since a
// perf script that ignores SIGPIPE reads on past a broken stdout, the pair must still end when the agent
// is killed (SIGKILL, as the OOM killer would): perf record gets its SIGINT from setpriv, perf script
// reads its input's end.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { ContinuousPlan } from '../../core/continuous/continuous-plan.ts';
import { scanCgroups } from '../../sidecar/continuous/cgroup-scan.ts';
import { ContinuousCollector } from '../../sidecar/continuous/continuous-collector.ts';
import type { ChildLike, SpawnFn } from '../../sidecar/host/runtime.ts';
import { spawn } from '../harness/child-processes.ts';
import { eventually } from '../harness/eventually.ts';
import { CGROUP2_ROOT, createPodCgroups, joinCgroupLine } from '../harness/pod-cgroups.ts';
import { identify, isSameProcess, type ProcessIdentity } from '../harness/process-identity.ts';
import { signalProcess, startFurnace, startProcess } from '../harness/processes.ts';

/** A pod whose one container sleeps in its cgroup: its plan, and that cgroup relative to the cgroup2 root. */
async function sleepingPod(t: TestContext): Promise<{ plan: ContinuousPlan; cgroup: string }> {
  const podUid = randomUUID();
  const cgroups = await createPodCgroups('systemd', podUid, ['app']);
  const app = cgroups.containers.get('app');
  if (!app) throw new Error('no app container cgroup');
  const sleeper = startProcess(t, 'sh', ['-c', `${joinCgroupLine(app.dir)} && exec sleep 600`]);
  t.after(async () => {
    await sleeper.stop();
    await cgroups.remove();
  });
  await eventually(
    async () => ((await readFile(`/proc/${sleeper.pid}/cgroup`, 'utf8')).includes(app.id) ? true : undefined),
    5000,
    'the sleeper in its cgroup',
  );
  const target = { namespace: 'ns', pod: 'sleepy', podUid, workload: 'Pod/sleepy' };
  const plan = {
    frequency: 19,
    windowSeconds: 5,
    targets: [{ ...target, containers: [{ name: 'app', id: app.id }] }],
  };
  return { plan, cgroup: relative(CGROUP2_ROOT, app.dir) };
}

/** The ignored-signals mask of a process once it runs perf (the wrappers exec it in the same process). */
async function perfSigIgn(pid: number | undefined, what: string): Promise<bigint> {
  const status = await eventually(
    async () => {
      const text = await readFile(`/proc/${pid}/status`, 'utf8');
      return /^Name:\s*perf$/m.test(text) ? text : undefined;
    },
    10_000,
    `${what} (PID ${pid}) to run perf`,
  );
  return BigInt(`0x${/^SigIgn:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? 'x'}`);
}

/** SIGPIPE is signal 13: bit 12 of the mask. */
const ignoresSigpipe = (mask: bigint) => ((mask >> 12n) & 1n) === 1n;

describe('the continuous perf pair and SIGPIPE (real perf)', () => {
  it('runs perf script and perf record with SIGPIPE ignored', async (t) => {
    const { plan } = await sleepingPod(t);
    const children: { record?: ChildLike; script?: ChildLike } = {};
    const spawnPerf: SpawnFn = (command, args, options) => {
      const child = spawn(command, args, options) as unknown as ChildLike;
      children[args.includes('record') ? 'record' : 'script'] = child;
      return child;
    };
    const logs: string[] = [];
    const collector = new ContinuousCollector({
      spawn: spawnPerf,
      perfPath: 'perf',
      node: 'node-1',
      scan: (targets) => scanCgroups(targets),
      upload: () => Promise.resolve(),
      log: (message, fields) => logs.push(`${message} ${JSON.stringify(fields ?? {})}`),
      now: () => Date.now(),
      maxPendingWindows: 4,
    });
    t.after(() => collector.close());
    await collector.apply(plan);
    assert.ok(collector.running, logs.join('\n'));
    const script = await perfSigIgn(children.script?.pid, 'perf script');
    assert.ok(ignoresSigpipe(script), `perf script's SigIgn ${script.toString(16)}`);
    const record = await perfSigIgn(children.record?.pid, 'perf record');
    assert.ok(ignoresSigpipe(record), `perf record's SigIgn ${record.toString(16)}`);
    assert.ok(collector.running, `the pair runs on; logs:\n${logs.join('\n')}`);
  });

  it('ends when the agent that started it is killed', async (t) => {
    const { cgroup } = await sleepingPod(t);
    const agent = startFurnace(t, ['test/harness/continuous-pair-child.ts', cgroup], {});
    const pids = await eventually(
      () => {
        const line = agent.output().split('\n')[0] ?? '';
        return Promise.resolve(
          line.startsWith('{') ? (JSON.parse(line) as Record<string, number>) : undefined,
        );
      },
      30_000,
      'the agent stand-in to start its pair',
    );
    const { record, script } = pids;
    assert.ok(record !== undefined && script !== undefined, agent.output());
    // Each PID with its start time, read while the pair runs: the hook below must not signal whatever
    // has one of these PIDs by the time the test ends.
    const pair = [identify(record), identify(script)].filter((p): p is ProcessIdentity => p !== undefined);
    assert.equal(pair.length, 2, `perf record (${record}) and perf script (${script}) run`);
    t.after(() => {
      // Only if the test failed: the pair outlived the agent.
      for (const perf of pair) signalProcess(perf, 'SIGKILL');
    });
    await perfSigIgn(script, 'perf script');
    await perfSigIgn(record, 'perf record');
    agent.child.kill('SIGKILL');
    await agent.exited;
    const alive = () => pair.filter(isSameProcess).map((p) => p.pid);
    await eventually(
      () => Promise.resolve(alive().length > 0 ? undefined : true),
      15_000,
      `perf record (${record}) and perf script (${script}) to end after the agent (alive: ${alive().join(', ')})`,
    );
  });
});
