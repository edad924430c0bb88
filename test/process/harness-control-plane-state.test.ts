// Stopping the run's control plane from its state file (`control-plane-cli.ts stop DIR`, as test/run.sh does):
// a component is signalled only while its recorded PID names the process with the recorded start time. A file
// from an older harness has PIDs without start times; those PIDs may name anything by now, so they are left
// alone, and the CLI says so. Real sleep processes stand in for the components at the recorded PIDs.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { identify, isSameProcess, type ProcessIdentity } from '../harness/process-identity.ts';
import { run, startProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { tempDir } from '../harness/temp-dirs.ts';

function sleeper(t: TestContext): ProcessIdentity {
  const identity = identify(startProcess(t, 'sleep', ['60']).pid);
  assert.ok(identity);
  return identity;
}

async function stopFromState(dir: string, state: object): Promise<string> {
  await writeFile(join(dir, 'control-plane.json'), JSON.stringify(state));
  const cli = join(PROJECT_ROOT, 'test/harness/control-plane-cli.ts');
  const { stderr } = await run(process.execPath, ['--import', 'tsx', cli, 'stop', dir], {
    cwd: PROJECT_ROOT,
  });
  return stderr;
}

describe('control plane state file (harness)', () => {
  it('stops the processes whose recorded PIDs still have their recorded start times', async (t) => {
    const dir = await tempDir(t, 'furnace-cp-state-');
    const [etcd, apiserver, controllerManager] = [sleeper(t), sleeper(t), sleeper(t)];
    await stopFromState(dir, {
      etcdPid: etcd.pid,
      apiserverPid: apiserver.pid,
      controllerManagerPid: controllerManager.pid,
      startTimes: {
        etcd: etcd.startTime,
        apiserver: apiserver.startTime,
        // A stranger has the controller manager's PID now: another start time.
        controllerManager: controllerManager.startTime + 1,
      },
    });
    assert.equal(isSameProcess(etcd), false, 'etcd stopped');
    assert.equal(isSameProcess(apiserver), false, 'kube-apiserver stopped');
    assert.ok(isSameProcess(controllerManager), 'the process at the reused PID still runs');
  });

  it('leaves alone the PIDs of a state file without start times, and says so', async (t) => {
    const dir = await tempDir(t, 'furnace-cp-state-');
    const [etcd, apiserver] = [sleeper(t), sleeper(t)];
    const stderr = await stopFromState(dir, { etcdPid: etcd.pid, apiserverPid: apiserver.pid });
    assert.ok(isSameProcess(etcd) && isSameProcess(apiserver), 'both processes still run');
    for (const [name, { pid }] of [
      ['etcd', etcd],
      ['kube-apiserver', apiserver],
    ] as const) {
      assert.match(
        stderr,
        new RegExp(`${name}: PID ${pid} was recorded without its start time.*not signalled`),
      );
    }
  });
});
