// perf script started ahead of the stop: the shell made at the recording's start becomes the command
// when the sidecar writes its line (same process: no fork at the stop), with --kallsyms when a copy is
// given, and exits without running anything when the recording ends without it. Real /bin/sh and real
// commands stand in for perf. Either way the command runs with SIGPIPE ignored, so that an addr2line that
// quits cannot kill perf script (test/process/perf-script-addr2line.test.ts shows it with real perf).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import type { ChildLike, SpawnFn } from '../../../sidecar/host/runtime.ts';
import { launchPerfScript, preparePerfScript } from '../../../sidecar/profilers/perf/perf-script-launch.ts';
import { spawn } from '../../harness/child-processes.ts';
import { workDir } from '../../harness/temp-dirs.ts';

const realSpawn = spawn as unknown as SpawnFn;

/** Counts the processes it starts. */
function countingSpawn(): { spawn: SpawnFn; started: () => number } {
  let started = 0;
  return {
    spawn: (command, args, options) => {
      started += 1;
      return realSpawn(command, args, options);
    },
    started: () => started,
  };
}

// Prints its own PID, then each argument after the script on its own line.
const SHOW = {
  command: '/bin/sh',
  args: ['-c', 'echo "$$"; printf "%s\\n" "$@"', 'show', 'script', '-i', 'a b'],
};

describe('perf script started ahead', () => {
  it('becomes the command in the process made at the start, with the kernel symbols copy', async () => {
    const counting = countingSpawn();
    const prepared = preparePerfScript(counting.spawn, SHOW);
    assert.equal(counting.started(), 1);
    const launched = prepared.go('/data/kallsyms');
    const output = await text(launched.child.stdout!);
    assert.equal(await launched.exited, 0);
    assert.equal(counting.started(), 1, 'no process is started at the stop');
    const [pid, ...args] = output.trimEnd().split('\n');
    assert.equal(Number(pid), launched.child.pid, 'the same process runs the command');
    assert.deepEqual(args, ['script', '-i', 'a b', '--kallsyms', '/data/kallsyms']);
  });

  it('reads /proc/kallsyms (no --kallsyms) without a copy, or with a path that cannot pass as a line', async () => {
    for (const kallsyms of [undefined, '/data/odd\nname']) {
      const launched = preparePerfScript(realSpawn, SHOW).go(kallsyms);
      const output = await text(launched.child.stdout!);
      assert.equal(await launched.exited, 0);
      assert.deepEqual(output.trimEnd().split('\n').slice(1), ['script', '-i', 'a b']);
    }
  });

  it('runs nothing when the recording ends without it, and goes once only', async (t) => {
    const dir = await workDir(t, 'perf-script-launch');
    const marker = join(dir, 'ran');
    const children: ChildLike[] = [];
    const keeping: SpawnFn = (command, args, options) => {
      const child = realSpawn(command, args, options);
      children.push(child);
      return child;
    };
    const prepared = preparePerfScript(keeping, { command: '/usr/bin/touch', args: [marker] });
    const closed = new Promise((done) => children[0]?.once('close', (code: number | null) => done(code)));
    prepared.cancel();
    assert.equal(await closed, 0, 'the shell exits at the end of its stdin');
    assert.equal(existsSync(marker), false, 'without running the command');
    assert.throws(() => prepared.go(undefined), /already/);
  });

  it('starts the command when it goes where there is no shell', async () => {
    const counting = countingSpawn();
    const prepared = preparePerfScript(counting.spawn, SHOW, null);
    assert.equal(counting.started(), 0);
    const launched = prepared.go('/data/kallsyms');
    assert.equal(counting.started(), 1);
    assert.match(await text(launched.child.stdout!), /--kallsyms\n\/data\/kallsyms\n$/);
    const direct = launchPerfScript(realSpawn, SHOW, undefined);
    assert.doesNotMatch(await text(direct.child.stdout!), /kallsyms/);
    assert.equal(await direct.exited, 0);
  });

  it('runs the command with SIGPIPE ignored, started ahead or at the stop', async () => {
    // SIGPIPE is signal 13: bit 12 of the ignored-signals mask the kernel shows for the process.
    const SIGIGN = { command: '/bin/sh', args: ['-c', 'grep SigIgn /proc/$$/status', 'sigign'] };
    // Each started and read in turn: a child that exits before its stdout is read has its output
    // dropped by node (it resumes unread stdio at the exit), which made this test lose one now and then.
    const starts = [
      () => preparePerfScript(realSpawn, SIGIGN).go(undefined),
      () => launchPerfScript(realSpawn, SIGIGN, undefined),
    ];
    for (const start of starts) {
      const launched = start();
      const output = await text(launched.child.stdout!);
      assert.equal(await launched.exited, 0);
      const mask = BigInt(`0x${/SigIgn:\s*([0-9a-f]+)/.exec(output)?.[1] ?? '0'}`);
      assert.equal((mask >> 12n) & 1n, 1n, `SIGPIPE is ignored: ${output}`);
    }
  });
});
