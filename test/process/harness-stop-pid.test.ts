// Stopping by PID (test/harness/processes.ts stopPid): only the process the harness started or found is
// signalled. A PID whose process has another start time than the one recorded (the PID was reused) is left
// alone, checked again before the SIGKILL; real sleep processes, and a real reuse in a PID namespace of its
// own (stop-pid-reuse-child.ts), where setting the last PID hands a newcomer the PID of one that exited.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFile } from 'node:fs/promises';
import { eventually } from '../harness/eventually.ts';
import { identify, isSameProcess, type ProcessIdentity } from '../harness/process-identity.ts';
import { run, startProcess, stopPid } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';

function identityOf(pid: number): ProcessIdentity {
  const identity = identify(pid);
  assert.ok(identity, `process ${pid} is in /proc`);
  return identity;
}

/** Waits until `sh -c 'trap "" TERM; exec sleep 60'` is sleep, SIGTERM ignored. */
async function ignoringTerm(pid: number): Promise<void> {
  await eventually(
    async () => ((await readFile(`/proc/${pid}/comm`, 'utf8')).trim() === 'sleep' ? true : undefined),
    10_000,
    `process ${pid} to exec sleep`,
  );
}

interface ReuseResult {
  firstPid: number;
  firstStartTime: number;
  newcomerPid: number;
  newcomerStartTime: number;
  newcomerRunning: boolean;
  newcomerSignal: string | null;
}

async function reuseScenario(scenario: 'after-exit' | 'during-grace'): Promise<ReuseResult> {
  const { stdout } = await run(
    'unshare',
    [
      '--pid',
      '--fork',
      '--mount-proc',
      process.execPath,
      '--import',
      'tsx',
      'test/process/stop-pid-reuse-child.ts',
      scenario,
    ],
    { cwd: PROJECT_ROOT, timeout: 60_000 },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ReuseResult;
  assert.equal(result.newcomerPid, result.firstPid, 'the newcomer has the PID of the process that exited');
  assert.notEqual(result.newcomerStartTime, result.firstStartTime, 'and another start time');
  return result;
}

describe('stopPid (harness)', () => {
  it('leaves alone the process a PID names when its start time is not the one recorded', async (t) => {
    const sleeper = startProcess(t, 'sleep', ['60']);
    const own = identityOf(sleeper.pid);
    // What a PID kept after its process exited looks like once another process has it.
    await stopPid({ pid: sleeper.pid, startTime: own.startTime + 1 }, 200);
    assert.ok(isSameProcess(own), `sleep ${sleeper.pid} still runs`);
    assert.equal(sleeper.child.exitCode, null);
    assert.equal(sleeper.child.signalCode, null, 'and was sent no signal that ended it');
  });

  it('stops the process its identity names with SIGTERM', async (t) => {
    const sleeper = startProcess(t, 'sleep', ['60']);
    await stopPid(identityOf(sleeper.pid));
    await sleeper.exited;
    assert.equal(sleeper.child.signalCode, 'SIGTERM');
  });

  it('sends SIGKILL after the grace to a process that ignores SIGTERM', async (t) => {
    const stubborn = startProcess(t, 'sh', ['-c', 'trap "" TERM; exec sleep 60']);
    await ignoringTerm(stubborn.pid);
    await stopPid(identityOf(stubborn.pid), 300);
    await stubborn.exited;
    assert.equal(stubborn.child.signalCode, 'SIGKILL');
  });

  it('does not signal a newcomer that got the PID after the process exited (real reuse)', async () => {
    const result = await reuseScenario('after-exit');
    assert.equal(result.newcomerSignal, null, `newcomer ${result.newcomerPid} was sent no signal`);
    assert.ok(result.newcomerRunning, 'the newcomer still runs');
  });

  it('does not SIGKILL a newcomer that got the PID during the grace (real reuse)', async () => {
    const result = await reuseScenario('during-grace');
    assert.equal(result.newcomerSignal, null, `newcomer ${result.newcomerPid} was sent no SIGKILL`);
    assert.ok(result.newcomerRunning, 'the newcomer still runs');
  });
});
