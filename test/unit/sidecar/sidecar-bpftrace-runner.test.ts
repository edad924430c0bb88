import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { catchesSigint, startBpftrace } from '../../../sidecar/profilers/bpftrace/bpftrace-runner.ts';
import { spawn } from '../../harness/child-processes.ts';
import { manualTimers } from '../../harness/manual-timers.ts';
import type { ChildLike } from '../../../sidecar/host/runtime.ts';

/**
 * bpftrace 0.17's signal life, as observed: compiling, SIGINT kills it (no handler yet); attaching, its
 * handler is installed but the signal is dropped; polling, SIGINT makes it print its maps and exit 0,
 * with the handler removed while it prints.
 */
class FakeBpftrace extends EventEmitter implements ChildLike {
  pid = 5151;
  stdout = new PassThrough();
  stderr = new PassThrough();
  phase: 'compiling' | 'attaching' | 'polling' | 'printing' | 'hung' = 'compiling';
  signals: string[] = [];
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.signals.push(signal);
    if (signal === 'SIGKILL' || (signal === 'SIGINT' && this.phase === 'compiling')) this.end(null, signal);
    else if (signal === 'SIGINT' && this.phase === 'polling') this.phase = 'printing';
    return true;
  }
  handler(): boolean {
    return this.phase === 'attaching' || this.phase === 'polling' || this.phase === 'hung';
  }
  attach(): void {
    this.phase = 'attaching';
    this.stdout.write('Attaching 1 probe...\n');
  }
  printMaps(): void {
    this.stdout.end('\n\n@[hot, \n    main\n]: 42\n');
    this.end(0, null);
  }
  end(code: number | null, signal: string | null): void {
    this.stdout.end();
    this.stderr.end();
    setImmediate(() => this.emit('close', code, signal));
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

async function setup(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'furnace-bpftrace-runner-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const child = new FakeBpftrace();
  const timers = manualTimers();
  const outputFile = join(dir, 'bpftrace.txt');
  const run = startBpftrace(
    { spawn: () => child, timers, catchesSigint: () => Promise.resolve(child.handler()) },
    {
      bpftracePath: 'bpftrace',
      programFile: join(dir, 'program.bt'),
      outputFile,
      durationSeconds: 10,
      maxBytes: 1 << 20,
      startupMs: 30_000,
      killAfterMs: 5_000,
      resendMs: 500,
    },
  );
  return { child, timers, run, outputFile };
}

describe('bpftrace runner', () => {
  it('holds a stop made while bpftrace compiles until its handler is in, so the SIGINT does not kill it', async (t) => {
    const { child, timers, run, outputFile } = await setup(t);
    run.stop();
    await settle();
    timers.fire(500);
    await settle();
    assert.deepEqual(child.signals, [], 'no SIGINT while the default action would kill bpftrace');
    child.attach();
    child.phase = 'polling';
    timers.fire(500);
    await settle();
    assert.deepEqual(child.signals, ['SIGINT']);
    child.printMaps();
    const result = await run.done;
    assert.equal(result.ok, true);
    assert.equal(result.reason, 'stopped');
    assert.match(await readFile(outputFile, 'utf8'), /\]: 42$/m);
  });

  it('sends SIGINT again when bpftrace dropped it while attaching, and never once it prints its maps', async (t) => {
    const { child, timers, run } = await setup(t);
    child.attach();
    await settle();
    run.stop();
    await settle();
    assert.deepEqual(child.signals, ['SIGINT'], 'the first SIGINT, dropped in the attaching phase');
    child.phase = 'polling';
    timers.fire(500);
    await settle();
    assert.deepEqual(child.signals, ['SIGINT', 'SIGINT'], 'sent again: the handler is still there');
    assert.equal(child.phase, 'printing');
    timers.fire(500);
    await settle();
    timers.fire(500);
    await settle();
    assert.deepEqual(child.signals, ['SIGINT', 'SIGINT'], 'nothing while the maps print');
    child.printMaps();
    assert.equal((await run.done).ok, true);
  });

  it('counts the duration from "Attaching", not from the start', async (t) => {
    const { child, timers, run } = await setup(t);
    timers.fire(8_000);
    child.attach();
    child.phase = 'polling';
    await settle();
    timers.fire(9_000);
    await settle();
    assert.deepEqual(child.signals, [], '9 s after attaching, 17 s after the start');
    timers.fire(1_000);
    await settle();
    assert.deepEqual(child.signals, ['SIGINT']);
    child.printMaps();
    const result = await run.done;
    assert.equal(result.reason, 'deadline');
    assert.equal(result.ok, true);
  });

  it('kills a bpftrace that keeps running after SIGINT, and calls its output incomplete', async (t) => {
    const { child, timers, run } = await setup(t);
    child.attach();
    child.phase = 'hung';
    await settle();
    run.stop();
    for (let i = 0; i < 10; i++) {
      await settle();
      timers.fire(500);
    }
    await settle();
    assert.equal(child.signals.at(-1), 'SIGKILL');
    assert.equal(child.signals.filter((s) => s === 'SIGINT').length, 10, 'one SIGINT each half second');
    const result = await run.done;
    assert.equal(result.ok, false);
    assert.equal(result.signal, 'SIGKILL');
  });

  it('kills a bpftrace stopped while compiling that never installs its handler', async (t) => {
    const { child, timers, run } = await setup(t);
    run.stop();
    for (let i = 0; i < 70; i++) {
      await settle();
      timers.fire(500);
    }
    await settle();
    assert.deepEqual(child.signals, ['SIGKILL']);
    assert.equal((await run.done).ok, false);
  });
});

describe('SIGINT handler check', () => {
  it('reads the SigCgt mask of a real process: set by a handler, clear without one', async (t) => {
    const catching = spawn(
      process.execPath,
      ['-e', "process.on('SIGINT', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const plain = spawn('sleep', ['30'], { stdio: 'ignore' });
    t.after(() => {
      catching.kill('SIGKILL');
      plain.kill('SIGKILL');
    });
    await new Promise((resolve) => catching.stdout.once('data', resolve));
    assert.equal(await catchesSigint(catching.pid ?? 0), true);
    assert.equal(await catchesSigint(plain.pid ?? 0), false);
    assert.equal(await catchesSigint(2 ** 22 + 1), false, 'no such process');
  });
});
