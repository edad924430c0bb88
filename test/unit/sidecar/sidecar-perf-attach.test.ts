// perf record on the targets still there (perf-attach.ts), with a fake perf that refuses to start when
// any PID it is given has exited, as `perf record -p` does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPerfOnSurvivors } from '../../../sidecar/profilers/perf/perf-attach.ts';
import type { SpawnFn } from '../../../sidecar/host/runtime.ts';
import type { OpenPerfControl } from '../../../sidecar/profilers/perf/perf-control.ts';
import { FakePerf } from '../../harness/fake-perf.ts';
import { manualTimers } from '../../harness/manual-timers.ts';

const options = {
  perfPath: 'perf',
  event: 'cpu-clock',
  frequency: 99,
  callGraph: 'fp' as const,
  pids: [10, 11, 12],
  systemWide: false,
  outputFile: '/data/r1/perf.data',
  durationSeconds: 5,
  maxBytes: 1024 * 1024,
};
const TARGETS = [
  { pid: 10, comm: 'app' },
  { pid: 11, comm: 'worker' },
  { pid: 12, comm: 'sh' },
];

/** `gone` is what /proc says; `exitLater` exit once perf was given them (between the check and the attach). */
function setup(gone: Set<number>, exitLater: Set<number> = new Set()) {
  const spawned: string[][] = [];
  const warnings: string[] = [];
  const children: FakePerf[] = [];
  const spawn: SpawnFn = (_command, args) => {
    spawned.push([...args]);
    const child = new FakePerf({ code: 130, stderr: '' });
    children.push(child);
    const pids = (args[args.indexOf('-p') + 1] ?? '').split(',').map(Number);
    for (const pid of exitLater) if (pids.includes(pid)) gone.add(pid);
    if (pids.some((pid) => gone.has(pid)))
      child.exit(255, null, "Couldn't create thread/CPU maps: No such process\n");
    return child;
  };
  const deps = {
    spawn,
    timers: manualTimers(),
    // perf.data's header is written: a stop interrupts perf at once (perf-runner.ts waits for it otherwise).
    fileSize: () => Promise.resolve(4096),
    isGone: (pid: number) => Promise.resolve(gone.has(pid)),
    warn: (message: string) => warnings.push(message),
  };
  return { deps, spawned, warnings, children };
}

const pidsOf = (args: string[]) => args[args.indexOf('-p') + 1];

describe('perf on the targets that are left', () => {
  it('drops a target gone before perf starts, says which, and records the rest', async () => {
    const { deps, spawned, warnings, children } = setup(new Set([11]));
    const perf = startPerfOnSurvivors(deps, options, TARGETS);
    await new Promise((resolve) => setImmediate(resolve));
    perf.stop();
    const result = await perf.done;
    assert.equal(result.ok, true);
    assert.deepEqual(spawned.map(pidsOf), ['10,12']);
    assert.deepEqual(warnings, ['11 (worker) exited before perf attached; recording the other 2']);
    assert.equal(children.length, 1);
  });

  it('starts perf again on the survivors when a target exits between the check and the attach', async () => {
    const { deps, spawned, warnings } = setup(new Set(), new Set([12]));
    const perf = startPerfOnSurvivors(deps, options, TARGETS);
    while (spawned.length < 2) await new Promise((resolve) => setImmediate(resolve));
    perf.stop();
    const result = await perf.done;
    assert.equal(result.ok, true);
    assert.deepEqual(spawned.map(pidsOf), ['10,11,12', '10,11']);
    assert.deepEqual(warnings, ['12 (sh) exited before perf attached; recording the other 2']);
  });

  it('fails only when none is left, naming every target that exited', async () => {
    const { deps, spawned } = setup(new Set([10]), new Set([11, 12]));
    const result = await startPerfOnSurvivors(deps, options, TARGETS).done;
    assert.equal(result.ok, false);
    assert.equal(
      result.failure,
      'every target exited before perf could attach: 10 (app), 11 (worker), 12 (sh)',
    );
    assert.deepEqual(spawned.map(pidsOf), ['11,12']);
  });

  it("keeps perf's own failure when every target is still there", async () => {
    const { deps, spawned } = setup(new Set());
    const refusing: SpawnFn = (command, args, spawnOptions) => {
      const child = deps.spawn(command, args, spawnOptions) as FakePerf;
      child.exit(255, null, 'event syntax error: bogus\n');
      return child;
    };
    const result = await startPerfOnSurvivors({ ...deps, spawn: refusing }, options, TARGETS).done;
    assert.equal(result.ok, false);
    assert.equal(result.failure, undefined);
    assert.match(result.stderr, /event syntax error/);
    assert.equal(spawned.length, 1, 'no second start');
  });

  it('leaves out a target whose memory maps perf may not read, says which and why, and records the rest (fake /proc)', async () => {
    const { deps, spawned, warnings } = setup(new Set());
    const sealed = { ...deps, isUnreadable: (pid: number) => Promise.resolve(pid === 12) };
    const perf = startPerfOnSurvivors(sealed, options, TARGETS);
    await new Promise((resolve) => setImmediate(resolve));
    perf.stop();
    assert.equal((await perf.done).ok, true);
    assert.deepEqual(spawned.map(pidsOf), ['10,11']);
    assert.deepEqual(warnings, [
      '12 (sh) left out: perf may not read their memory maps; recording the other 2',
    ]);
  });

  it('says in words why nothing could be recorded when what is left may not be read (fake /proc)', async () => {
    const { deps, spawned } = setup(new Set([10]));
    const sealed = { ...deps, isUnreadable: (pid: number) => Promise.resolve(pid !== 10) };
    const result = await startPerfOnSurvivors(sealed, options, TARGETS).done;
    assert.equal(result.ok, false);
    assert.equal(spawned.length, 0);
    assert.match(
      result.failure ?? '',
      /^no process could be recorded: 10 \(app\) exited before perf could attach, and 11 \(worker\), 12 \(sh\): perf may not read the memory maps/,
    );
  });

  it('with enableAt, says when the survivors’ perf turned its events on, and counts the whole duration from then (fake control FIFOs that perf acks at once)', async () => {
    const { deps, spawned, children } = setup(new Set(), new Set([12]));
    const sent: string[] = [];
    const openControl: OpenPerfControl = (_fifos, onAck) =>
      Promise.resolve({
        send: (command) => {
          sent.push(command);
          onAck();
          return Promise.resolve();
        },
        close: () => Promise.resolve(),
      });
    const perf = startPerfOnSurvivors({ ...deps, openControl }, { ...options, enableAt: 2000 }, TARGETS);
    while (spawned.length < 2) await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    deps.timers.fire(2000);
    assert.equal(await perf.enabled, 2000);
    assert.deepEqual(sent, ['enable'], 'the enable goes to the survivors’ perf');
    deps.timers.fire(4999);
    assert.deepEqual(children[1]?.signals, []);
    deps.timers.fire(1);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(children[1]?.signals, ['SIGINT']);
    assert.equal((await perf.done).reason, 'deadline');
  });
});
