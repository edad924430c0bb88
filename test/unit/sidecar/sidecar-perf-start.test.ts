// When a perf recording's duration starts: at perf's ack on its control FIFO (its events are on), not at
// its first bytes in perf.data (perf 6.1 writes its header before it turns its events on); and with
// enableAt, perf starts with its events off and is sent `enable` at that instant. perf is a FakePerf and its
// FIFOs a fake control (the real ones are in test/process/perf-record-ack.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPerfRecord } from '../../../sidecar/profilers/perf/perf-runner.ts';
import type { OpenPerfControl, PerfCommand } from '../../../sidecar/profilers/perf/perf-control.ts';
import { FakePerf } from '../../harness/fake-perf.ts';
import { manualTimers } from '../../harness/manual-timers.ts';
import type { SpawnFn } from '../../../sidecar/host/runtime.ts';

const options = {
  perfPath: 'perf',
  event: 'cpu-clock',
  frequency: 99,
  callGraph: 'fp' as const,
  pids: [10],
  systemWide: false,
  outputFile: '/data/r1/perf.data',
  durationSeconds: 5,
  maxBytes: 1024 * 1024,
  sizePollMs: 1000,
};

/** A FakePerf that has written perf.data's header, and a fake control FIFO pair that records commands. */
function setup() {
  const child = new FakePerf({
    code: 0,
    stderr: '[ perf record: Captured and wrote 0.1 MB perf.data (321 samples) ]\n',
  });
  const calls: string[][] = [];
  const spawn: SpawnFn = (command, args) => {
    calls.push([command, ...args]);
    return child;
  };
  const sent: PerfCommand[] = [];
  let onAck = (): void => {};
  const openControl: OpenPerfControl = (_fifos, ack) => {
    onAck = ack;
    return Promise.resolve({
      send: (command) => {
        sent.push(command);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    });
  };
  const timers = manualTimers();
  const deps = { spawn, timers, fileSize: () => Promise.resolve(4096), openControl };
  return { child, calls, sent, ack: () => onAck(), timers, deps };
}

/** Lets the answers in flight (file sizes, the FIFOs' opening) resolve. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('perf start (fake perf, fake control FIFOs)', () => {
  it('counts the duration from perf’s first ack, not from its first bytes (perf 6.1 writes its header before its events are on)', async () => {
    const { child, sent, ack, timers, deps } = setup();
    const recording = startPerfRecord(deps, options);
    await settle();
    assert.deepEqual(sent, ['ping'], 'a ping as soon as perf has opened its control FIFO');
    // perf synthesizes its targets' maps for 4 s (a loaded node) before its main loop reads the ping.
    timers.fire(4000);
    await settle();
    assert.deepEqual(child.signals, []);
    ack();
    timers.fire(4999);
    await settle();
    assert.deepEqual(child.signals, [], 'still recording 4.999 s after the ack, 8.999 s after the header');
    timers.fire(1);
    await settle();
    assert.deepEqual(child.signals, ['SIGINT']);
    assert.equal((await recording.done).reason, 'deadline');
    assert.equal(await recording.enabled, 4000);
  });

  it('keeps trying to open perf’s FIFOs until perf has opened them (a perf.data left from an earlier attempt)', async () => {
    const { child, sent, ack, timers, deps } = setup();
    let tries = 0;
    const openControl: OpenPerfControl = (fifos, onAck) =>
      ++tries <= 3 ? Promise.resolve(undefined) : deps.openControl(fifos, onAck);
    const recording = startPerfRecord({ ...deps, openControl }, options);
    for (let i = 0; i < 3; i++) {
      await settle();
      timers.fire(10);
    }
    await settle();
    assert.equal(tries, 4);
    assert.deepEqual(sent, ['ping']);
    ack();
    timers.fire(5000);
    await settle();
    assert.deepEqual(child.signals, ['SIGINT']);
    assert.equal((await recording.done).reason, 'deadline');
  });

  it('pings perf every second from its ack on, once the events are on', async () => {
    const { sent, ack, timers, deps } = setup();
    const recording = startPerfRecord(deps, options);
    await settle();
    timers.fire(3000);
    await settle();
    assert.deepEqual(sent, ['ping'], 'no more pings before the first is acknowledged');
    ack();
    for (let i = 0; i < 3; i++) {
      timers.fire(1000);
      await settle();
    }
    assert.deepEqual(sent, ['ping', 'ping', 'ping', 'ping']);
    recording.stop();
    await recording.done;
  });

  it('counts the duration anyway when perf does not ack within the start-up grace', async () => {
    const { child, timers, deps } = setup();
    const recording = startPerfRecord(deps, { ...options, startupGraceMs: 2000 });
    await settle();
    timers.fire(2000);
    timers.fire(4999);
    await settle();
    assert.deepEqual(child.signals, []);
    timers.fire(1);
    await settle();
    assert.deepEqual(child.signals, ['SIGINT']);
    assert.equal((await recording.done).reason, 'deadline');
    assert.equal(await recording.enabled, undefined, 'perf never said its events were on');
  });

  it('with enableAt, starts perf with its events off and sends `enable` at that instant; the duration counts from its ack', async () => {
    const { child, calls, sent, ack, timers, deps } = setup();
    const recording = startPerfRecord(deps, { ...options, enableAt: 10_000 });
    assert.deepEqual(calls[0]?.slice(-2), ['-D', '-1']);
    await settle();
    timers.fire(9999);
    await settle();
    assert.deepEqual(sent, [], 'nothing written before enableAt');
    timers.fire(1);
    await settle();
    assert.deepEqual(sent, ['enable']);
    timers.fire(200);
    ack();
    timers.fire(4999);
    await settle();
    assert.deepEqual(child.signals, [], 'still recording 4.999 s after the ack');
    timers.fire(1);
    await settle();
    assert.deepEqual(child.signals, ['SIGINT']);
    const result = await recording.done;
    assert.equal(result.reason, 'deadline');
    assert.equal(result.warning, undefined);
    assert.equal(await recording.enabled, 10_200);
  });

  it('sends `enable` at once when enableAt has passed by the time perf is writing', async () => {
    const { sent, timers, deps } = setup();
    timers.fire(50_000);
    const recording = startPerfRecord(deps, { ...options, enableAt: 20_000 });
    await settle();
    assert.deepEqual(sent, ['enable']);
    recording.stop();
    await recording.done;
  });

  it('keeps the grace from enableAt, not from the spawn, when enableAt is later', async () => {
    const { child, timers, deps } = setup();
    startPerfRecord(deps, { ...options, enableAt: 60_000, startupGraceMs: 30_000 });
    await settle();
    timers.fire(60_000 + 29_999);
    timers.fire(1);
    timers.fire(4_999);
    await settle();
    assert.deepEqual(child.signals, [], 'no deadline before enableAt + grace + duration');
    timers.fire(1);
    await settle();
    assert.deepEqual(child.signals, ['SIGINT']);
  });

  it('ends a recording stopped before its enable with perf interrupted and a warning that it holds no samples', async () => {
    const { child, sent, timers, deps } = setup();
    const recording = startPerfRecord(deps, { ...options, enableAt: 10_000 });
    await settle();
    timers.fire(3000);
    recording.stop();
    await settle();
    const result = await recording.done;
    assert.deepEqual(child.signals, ['SIGINT']);
    assert.deepEqual(sent, [], 'no enable after the stop');
    assert.equal(result.ok, true);
    assert.equal(result.reason, 'stopped');
    assert.match(
      result.warning ?? '',
      /^perf's events never went on \(they were to at 1970-01-01T00:00:10\.000Z\): .* no samples$/,
    );
    assert.equal(await recording.enabled, undefined);
  });

  it('without its FIFOs (no shell to make them), runs perf with its events on and says it recorded from its start', async () => {
    const { child, timers, deps } = setup();
    const recording = startPerfRecord(deps, { ...options, perfPath: '/nonexistent/perf', enableAt: 10_000 });
    await settle();
    timers.fire(5000);
    await settle();
    assert.deepEqual(child.signals, ['SIGINT'], 'the duration counted from the first bytes');
    const result = await recording.done;
    assert.match(
      result.warning ?? '',
      /could not be started with its events off .* not from 1970-01-01T00:00:10/,
    );
  });
});
