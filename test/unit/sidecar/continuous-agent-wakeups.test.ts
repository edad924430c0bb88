// What keeps the node agent's continuous profiling cheap between samples: perf script's output read in
// paced batches (all of it, in far fewer reads than it has writes), a /proc scan per window that reads
// only new and sampled processes (and still sees a reused PID), and a loop that wakes for the poll and
// for windows, not every second.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ContinuousPlan, ContinuousTarget } from '../../../core/continuous/continuous-plan.ts';
import type { LoopTimers } from '../../../sidecar/host/runtime.ts';
import { createProcScan } from '../../../sidecar/continuous/cgroup-scan.ts';
import { startContinuousLoop } from '../../../sidecar/continuous/continuous-loop.ts';
import { readPauseMs, startPerfPair } from '../../../sidecar/continuous/perf-pair.ts';
import { pidsOf } from '../../../sidecar/continuous/window-split.ts';
import { spawn } from '../../harness/child-processes.ts';
import { workDir } from '../../harness/temp-dirs.ts';

const UID = '0d6c3f1e-1111-2222-3333-444455556666';
const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
const TARGETS: ContinuousTarget[] = [
  {
    namespace: 'ns',
    pod: 'p',
    podUid: UID,
    workload: 'Pod/p',
    containers: [
      { name: 'app', id: ID_A },
      { name: 'side', id: ID_B },
    ],
  },
];

const cgroupOf = (id: string) => `0::/kubepods/besteffort/pod${UID}/${id}\n`;

async function setProcess(proc: string, pid: number, text: string): Promise<void> {
  await mkdir(join(proc, String(pid)), { recursive: true });
  await writeFile(join(proc, String(pid), 'cgroup'), text);
}

describe('perf script output read in paced batches', () => {
  it('pauses for what half a pipe holds at the last read’s rate, at most the cap', () => {
    assert.equal(readPauseMs(4096, 50, 500), 400, '4 KiB in 50 ms: 32 KiB in 400 ms');
    assert.equal(readPauseMs(4096, 200, 500), 500, 'slower: the cap');
    assert.equal(readPauseMs(65536, 100, 500), 50, 'a full read: half the time it took');
    assert.equal(readPauseMs(0, 100, 500), 500);
  });

  it('passes on every byte, in fewer reads than the writer has writes', async () => {
    const writes = 40;
    const chunks: Buffer[] = [];
    const pair = startPerfPair({
      spawn,
      recordCommand: {
        command: 'sh',
        args: ['-c', `for i in $(seq ${writes}); do head -c 4096 /dev/zero; sleep 0.02; done`],
      },
      scriptCommand: { command: 'cat', args: [] },
      onOutput: (chunk) => chunks.push(chunk),
    });
    const ended = await pair.ended;
    assert.deepEqual(ended.script, { code: 0, signal: null }, ended.stderr);
    assert.equal(
      chunks.reduce((sum, c) => sum + c.length, 0),
      writes * 4096,
    );
    assert.ok(chunks.length < writes / 2, `${chunks.length} reads of ${writes} writes`);
  });
});

describe('a /proc scan per window', () => {
  it('reads new and rechecked processes only, and sees a reused PID in another container', async (t) => {
    const proc = await workDir(t, 'proc-scan');
    await setProcess(proc, 10, cgroupOf(ID_A));
    await setProcess(proc, 11, '0::/system.slice/other\n');
    const scan = createProcScan(proc);

    const first = await scan(TARGETS, new Set());
    assert.equal(first.full, true, 'the first scan for these targets reads every process');
    assert.deepEqual([...first.owners.keys()], [10]);
    assert.equal(first.cgroups.length, 1);

    // PID 11 now in container B without a reread (a process keeps its cgroup); 12 is new; 10 is sampled.
    await setProcess(proc, 11, cgroupOf(ID_B));
    await setProcess(proc, 12, cgroupOf(ID_B));
    await setProcess(proc, 10, cgroupOf(ID_B));
    const next = await scan(TARGETS, new Set([10]));
    assert.equal(next.full, false);
    assert.deepEqual(
      [...next.owners].map(([pid, owner]) => [pid, owner.container]).sort(),
      [
        [10, 'side'],
        [12, 'side'],
      ],
      'the rechecked PID with its new container, the new one, not the one listed before',
    );
    assert.deepEqual([...(next.listed ?? [])].sort(), [10, 11, 12]);

    const other = await scan([{ ...TARGETS[0]!, pod: 'q' }], new Set());
    assert.equal(other.full, true, 'other targets: every process again');
    assert.equal(other.owners.size, 3);
  });

  it('finds the PIDs of a window’s stacks in their root frames', () => {
    const stacks = new Map([
      ['app-10;main;work', 3],
      ['my-app-2-12;main', 1],
      ['app-10;main', 2],
    ]);
    assert.deepEqual([...pidsOf(stacks)].sort(), [10, 12]);
  });
});

describe('the continuous loop', () => {
  it('wakes only to poll while nothing is selected', async () => {
    let now = 1_000_000;
    const delays: number[] = [];
    let fire: (() => void) | undefined;
    const timers: LoopTimers = {
      now: () => now,
      setTimeout: (callback, ms) => {
        delays.push(ms);
        fire = callback;
        return delays.length;
      },
      clearTimeout: () => undefined,
    };
    const empty: ContinuousPlan = { frequency: 19, windowSeconds: 15, targets: [] };
    let polls = 0;
    const loop = startContinuousLoop({
      collector: {
        apply: () => Promise.resolve(),
        drain: () => Promise.resolve(),
        close: () => Promise.resolve(),
        nextDrainAt: () => Number.POSITIVE_INFINITY,
        whenChanged: () => undefined,
      },
      fetchPlan: () => Promise.resolve(void (polls += 1)).then(() => empty),
      timers,
      log: () => undefined,
      pollSeconds: 5,
    });
    for (let i = 0; i < 3; i++) {
      now += delays.at(-1) ?? 0;
      fire?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await loop.stop();
    assert.equal(polls, 3);
    assert.deepEqual(delays, [0, 5000, 5000, 5000], 'one wake-up per poll, 5 s apart');
  });
});
