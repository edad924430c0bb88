// The sidecar process stops cleanly: on SIGTERM it stops perf and exits 0; in local mode it follows the
// process that started it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { eventually } from '../harness/eventually.ts';
import { startHotProgram } from '../harness/hot-program.ts';
import { childPids, isAlive, startProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startFakeRegistrationServer, startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'lifecycle-secret';

/** Resolves once the process is gone; fails after 30 s. */
function gone(pid: number): Promise<true> {
  return eventually(() => Promise.resolve(isAlive(pid) ? undefined : true), 30_000, `PID ${pid} to exit`);
}

describe('sidecar process lifecycle (with a fake registration server)', () => {
  it('stops perf and exits 0 on SIGTERM during a recording', async (t) => {
    const { target } = await startHotProgram(t, await workDir(t, 'lifecycle-term'));
    const { sidecar } = await startRegisteredSidecar(t, SECRET);
    const start = await sidecar.call('POST', '/recordings', { pid: target.pid, durationSeconds: 300 });
    assert.equal(start.status, 202, start.text);
    // perf starts once the sidecar has checked that its targets are still there (after the 202).
    const perfPid = await eventually(
      async () => {
        const children = await childPids(sidecar.child.pid ?? 0);
        const comms = await Promise.all(
          children.map((c) => readFile(`/proc/${c}/comm`, 'utf8').catch(() => '')),
        );
        const found = Number(children[comms.findIndex((comm) => comm.trim() === 'perf')] ?? 0);
        return found > 0 ? found : undefined;
      },
      10_000,
      'perf to run as a child of the sidecar',
    );
    assert.equal(await sidecar.stop(), 0);
    await gone(perfPid); // perf was stopped, not left behind
    assert.equal((start.json as RecordingStatus).state, 'recording');
  });

  it('exits in local mode when the process that started it is gone', async (t) => {
    const server = await startFakeRegistrationServer(t, SECRET);
    const dataDir = await workDir(t, 'lifecycle-parent');
    // A shell starts the sidecar, says its PID, and waits; the test then kills only the shell.
    const shell = startProcess(
      t,
      'sh',
      ['-c', `node --import tsx ${PROJECT_ROOT}/sidecar/main.ts & echo $!; wait`],
      {
        env: {
          FURNACE_SERVER_URL: server.url,
          FURNACE_REGISTRATION_SECRET: SECRET,
          FURNACE_SIDECAR_PORT: '0',
          FURNACE_SIDECAR_TLS_PORT: '0',
          FURNACE_SIDECAR_DATA: dataDir,
        },
      },
    );
    const sidecarPid = await eventually(
      () => Promise.resolve(Number(/^(\d+)$/m.exec(shell.output())?.[1]) || undefined),
      10_000,
      'the shell to say the sidecar PID',
    );
    t.after(() => {
      try {
        process.kill(sidecarPid, 'SIGKILL');
      } catch {
        // gone already, as expected
      }
    });
    await server.registered;
    shell.child.kill('SIGKILL');
    await gone(sidecarPid);
  });
});
