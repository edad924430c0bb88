import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPerfRecord } from '../../../sidecar/profilers/perf/perf-runner.ts';
import {
  PERF_WRAPPER,
  perfRecordArgs,
  perfRecordCommand,
} from '../../../sidecar/profilers/perf/perf-record-command.ts';
import type { OpenPerfControl } from '../../../sidecar/profilers/perf/perf-control.ts';
import { spawn } from '../../harness/child-processes.ts';
import { FakePerf } from '../../harness/fake-perf.ts';
import { manualTimers } from '../../harness/manual-timers.ts';
import type { SpawnFn } from '../../../sidecar/host/runtime.ts';

const options = {
  perfPath: 'perf',
  event: 'cpu-clock',
  frequency: 99,
  callGraph: 'fp' as const,
  pids: [10, 11],
  systemWide: false,
  outputFile: '/data/r1/perf.data',
  durationSeconds: 5,
  maxBytes: 1024 * 1024,
  sizePollMs: 1000,
};

function setup(): {
  child: FakePerf;
  spawn: SpawnFn;
  calls: string[][];
  timers: ReturnType<typeof manualTimers>;
} {
  const child = new FakePerf({
    code: 0,
    stderr: '[ perf record: Captured and wrote 0.1 MB perf.data (321 samples) ]\n',
  });
  const calls: string[][] = [];
  const spawn: SpawnFn = (command, args) => {
    calls.push([command, ...args]);
    return child;
  };
  return { child, spawn, calls, timers: manualTimers() };
}

/**
 * perf's control FIFOs as a fake where perf acknowledges each command at once: the duration counts from
 * perf's first bytes (sidecar-perf-start.test.ts has acks that come later, or never).
 */
const acksAtOnce: OpenPerfControl = (_fifos, onAck) =>
  Promise.resolve({
    send: () => {
      onAck();
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  });

/** Lets the fileSize answers in flight resolve. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('perf runner', () => {
  it('builds the perf record command line', () => {
    assert.deepEqual(perfRecordArgs(options), [
      'record',
      '-e',
      'cpu-clock',
      '-F',
      '99',
      '-g',
      '-p',
      '10,11',
      '--no-bpf-event',
      '-o',
      '/data/r1/perf.data',
      '--max-size',
      '1024K',
    ]);
    const scan = perfRecordArgs({ ...options, buildIdDir: '/data/r1/buildid', buildIds: 'scan' });
    assert.deepEqual(scan.slice(0, 3), ['--buildid-dir', '/data/r1/buildid', 'record']);
    assert.equal(scan.at(-1), '--no-buildid-cache');
    assert.equal(perfRecordArgs({ ...options, buildIds: 'mmap' }).at(-1), '--buildid-mmap');
    assert.equal(perfRecordArgs({ ...options, buildIds: 'cache' }).at(-1), '1024K');
    const dwarf = perfRecordArgs({ ...options, callGraph: 'dwarf', systemWide: true });
    assert.deepEqual(dwarf.slice(5, 9), ['--call-graph', 'dwarf', '-a', '-o']);
  });

  it('stops perf with SIGINT at the deadline even when no stop comes', async () => {
    const { child, spawn, timers, calls } = setup();
    const recording = startPerfRecord(
      { spawn, timers, openControl: acksAtOnce, fileSize: () => Promise.resolve(10) },
      options,
    );
    // perf runs under setpriv, which interrupts it should the recorder die, with SIGPIPE ignored so that
    // it still writes its file out then, and reads commands from a FIFO beside perf.data
    // (perf-record-command.ts).
    assert.deepEqual(calls[0], [
      '/bin/sh',
      ...['-c', PERF_WRAPPER, '/data/r1/perf.control', '/data/r1/perf.ack', '/usr/bin/setpriv'],
      ...['--pdeathsig', 'INT', '--', 'perf'],
      ...perfRecordArgs(options),
      ...['--control', 'fifo:/data/r1/perf.control,/data/r1/perf.ack'],
    ]);
    await settle();
    timers.fire(4999);
    assert.deepEqual(child.signals, []);
    timers.fire(1);
    const result = await recording.done;
    assert.deepEqual(child.signals, ['SIGINT']);
    assert.equal(result.reason, 'deadline');
    assert.equal(result.ok, true);
  });

  it('without perf’s FIFOs (no setpriv to start it with them), counts the duration from perf’s first bytes in perf.data, not from its spawn (a slow start on a loaded node)', async () => {
    const { child, spawn, timers, calls } = setup();
    let bytes = 0;
    const recording = startPerfRecord(
      { spawn, timers, fileSize: () => Promise.resolve(bytes) },
      { ...options, perfPath: '/nonexistent/perf' },
    );
    assert.equal(calls[0]?.[0], '/nonexistent/perf');
    // perf takes 4 s to open its events and write its header: a deadline from the spawn would leave 1 s.
    for (let ms = 0; ms < 4000; ms += 50) {
      await settle();
      timers.fire(50);
    }
    bytes = 4096;
    await settle();
    timers.fire(50);
    await settle();
    timers.fire(4900);
    assert.deepEqual(child.signals, [], 'still recording 4.9 s after its start, 8.95 s after the spawn');
    timers.fire(100);
    await settle();
    assert.deepEqual(child.signals, ['SIGINT']);
    assert.equal((await recording.done).reason, 'deadline');
  });

  it('counts the duration after the start-up grace when perf never writes a byte', async () => {
    const { child, spawn, timers } = setup();
    startPerfRecord(
      { spawn, timers, openControl: acksAtOnce, fileSize: () => Promise.resolve(0) },
      { ...options, startupGraceMs: 1000 },
    );
    for (let ms = 0; ms < 1000; ms += 50) {
      await settle();
      timers.fire(50);
    }
    timers.fire(4999);
    assert.deepEqual(child.signals, []);
    timers.fire(1);
    // The deadline's stop still gives perf up to 5 s to write perf.data (it never does here), then SIGINT.
    for (let ms = 0; ms < 5000; ms += 20) {
      await settle();
      timers.fire(20);
    }
    await settle();
    assert.deepEqual(child.signals, ['SIGINT']);
  });

  it('runs perf itself when there is no setpriv, or when perf is not there to be run', () => {
    const fifo = { control: '/data/r1/perf.control', ack: '/data/r1/perf.ack' };
    assert.deepEqual(
      perfRecordCommand('perf', ['record'], fifo, {
        setpriv: '/usr/bin/setpriv',
        shell: null,
      }),
      {
        command: '/usr/bin/setpriv',
        args: ['--pdeathsig', 'INT', '--', 'perf', 'record'],
      },
    );
    const bare = perfRecordCommand('perf', ['record'], fifo, { setpriv: null, shell: '/bin/sh' });
    assert.deepEqual(bare, { command: 'perf', args: ['record'] });
    const missing = perfRecordCommand('/nonexistent/perf', ['record'], fifo);
    assert.deepEqual(missing, { command: '/nonexistent/perf', args: ['record'] });
  });

  it('stops early on request, once', async () => {
    const { child, spawn, timers } = setup();
    const recording = startPerfRecord(
      { spawn, timers, openControl: acksAtOnce, fileSize: () => Promise.resolve(10) },
      options,
    );
    recording.stop();
    recording.stop();
    const result = await recording.done;
    assert.deepEqual(child.signals, ['SIGINT']);
    assert.equal(result.reason, 'stopped');
  });

  it('stops when perf.data grows past the cap', async () => {
    const { child, spawn, timers } = setup();
    const recording = startPerfRecord(
      { spawn, timers, openControl: acksAtOnce, fileSize: () => Promise.resolve(2 * 1024 * 1024) },
      options,
    );
    timers.fire(1000);
    const result = await recording.done;
    assert.deepEqual(child.signals, ['SIGINT']);
    assert.equal(result.reason, 'size-cap');
  });

  it('keeps a recording whose targets exited (perf ends by itself with 0)', async () => {
    const { child, spawn, timers } = setup();
    const recording = startPerfRecord(
      { spawn, timers, openControl: acksAtOnce, fileSize: () => Promise.resolve(10) },
      options,
    );
    child.exit(0, null, '[ perf record: Captured and wrote 0.01 MB perf.data (12 samples) ]');
    const result = await recording.done;
    assert.equal(result.reason, 'exited');
    assert.equal(result.ok, true);
  });

  it('reports a perf failure with an excerpt of its stderr', async () => {
    const { child, spawn, timers } = setup();
    const recording = startPerfRecord(
      { spawn, timers, openControl: acksAtOnce, fileSize: () => Promise.resolve(0) },
      options,
    );
    child.exit(244, null, "Couldn't create thread/CPU maps: No such process\n");
    const result = await recording.done;
    assert.equal(result.ok, false);
    assert.equal(result.exitCode, 244);
    assert.match(result.stderr, /No such process/);
  });

  it('says perf is not installed when the binary is missing', async () => {
    const { timers } = setup();
    const recording = startPerfRecord(
      { spawn, timers, openControl: acksAtOnce, fileSize: () => Promise.resolve(0) },
      { ...options, perfPath: '/nonexistent/furnace-test/perf' },
    );
    const result = await recording.done;
    assert.equal(result.ok, false);
    assert.match(result.stderr, /\/nonexistent\/furnace-test\/perf is not installed .*linux-perf/);
  });

  it('kills perf when it does not finish after SIGINT', async () => {
    const { child, spawn, timers } = setup();
    child.kill = (signal: NodeJS.Signals = 'SIGTERM') => {
      child.signals.push(signal);
      if (signal === 'SIGKILL') child.exit(null, 'SIGKILL');
      return true;
    };
    const recording = startPerfRecord(
      { spawn, timers, openControl: acksAtOnce, fileSize: () => Promise.resolve(10) },
      { ...options, killAfterMs: 2000 },
    );
    recording.stop();
    await settle();
    timers.fire(2000);
    const result = await recording.done;
    assert.deepEqual(child.signals, ['SIGINT', 'SIGKILL']);
    assert.equal(result.ok, false);
    // No perf.data at this path: perf never began it, and the failure says so in words.
    assert.match(
      result.failure ?? '',
      /^perf record did not finish perf.data within 2 s of its SIGINT.* and was killed; it had not begun perf.data \(it was still starting\)$/,
    );
  });

  it(
    'ends the recording without a killed perf that does not exit (an uninterruptible wait), saying so',
    { timeout: 10_000 },
    async () => {
      const { child, spawn, timers } = setup();
      // A perf that neither SIGINT nor SIGKILL ends.
      child.kill = (signal: NodeJS.Signals = 'SIGTERM') => child.signals.push(signal) > 0;
      const recording = startPerfRecord(
        { spawn, timers, openControl: acksAtOnce, fileSize: () => Promise.resolve(10) },
        { ...options, killAfterMs: 2000 },
      );
      recording.stop();
      await settle();
      timers.fire(2000);
      // /proc is read before the kill.
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(child.signals, ['SIGINT', 'SIGKILL']);
      timers.fire(4999);
      let ended = false;
      void recording.done.then(() => (ended = true));
      await settle();
      assert.equal(ended, false, 'still waiting 4.999 s after SIGKILL');
      timers.fire(1);
      const result = await recording.done;
      assert.equal(result.ok, false);
      assert.match(
        result.failure ?? '',
        /and was killed \(it had not exited 5 s later: the recording ends without it\); it had not begun perf.data/,
      );
    },
  );

  it('holds a stop that comes before perf has created perf.data until it has (SIGINT earlier kills perf with no file)', async () => {
    const { child, spawn, timers } = setup();
    let bytes = 0;
    const recording = startPerfRecord(
      { spawn, timers, openControl: acksAtOnce, fileSize: () => Promise.resolve(bytes) },
      options,
    );
    recording.stop();
    await settle();
    timers.fire(20);
    await settle();
    assert.deepEqual(child.signals, [], 'no SIGINT while perf has not opened its file');
    bytes = 4096;
    timers.fire(50);
    await settle();
    const result = await recording.done;
    assert.deepEqual(child.signals, ['SIGINT']);
    assert.equal(result.reason, 'stopped');
    assert.equal(result.ok, true);
  });

  it('sends SIGINT anyway when perf.data has not appeared 5 s after the stop', async () => {
    const { child, spawn, timers } = setup();
    const recording = startPerfRecord(
      { spawn, timers, openControl: acksAtOnce, fileSize: () => Promise.resolve(0) },
      options,
    );
    recording.stop();
    for (let waited = 0; waited < 5000; waited += 20) {
      await settle();
      assert.deepEqual(child.signals, [], `no SIGINT after ${waited} ms`);
      timers.fire(20);
    }
    await settle();
    await recording.done;
    assert.deepEqual(child.signals, ['SIGINT']);
  });
});
