// The sidecar process stops cleanly: on SIGTERM it stops perf and exits 0; in local mode it follows the
// process that started it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import type { RecordingStatus } from '../../core/recording.ts';
import {
  buildHotProgram,
  startFakeRegistrationServer,
  startProcess,
  startSidecar,
  workDir,
} from './sidecar-harness.ts';

const SECRET = 'lifecycle-secret';
const ROOT = new URL('../..', import.meta.url).pathname;

async function gone(pid: number): Promise<void> {
  while (
    await access(`/proc/${pid}`).then(
      () => true,
      () => false,
    )
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('sidecar process lifecycle (with a fake registration server)', () => {
  it('stops perf and exits 0 on SIGTERM during a recording', async (t) => {
    const dir = await workDir(t, 'lifecycle-term');
    const program = await buildHotProgram(dir);
    const target = startProcess(t, program, ['120']);
    const server = await startFakeRegistrationServer(t, SECRET);
    const sidecar = await startSidecar(t, server, SECRET);
    const start = await sidecar.call('POST', '/recordings', { pid: target.pid, durationSeconds: 300 });
    assert.equal(start.status, 202, start.text);
    const pid = sidecar.child.pid ?? 0;
    const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/);
    const comms = await Promise.all(children.map((c) => readFile(`/proc/${c}/comm`, 'utf8').catch(() => '')));
    const perfPid = Number(children[comms.findIndex((comm) => comm.trim() === 'perf')] ?? 0);
    assert.ok(perfPid > 0, 'perf runs as a child of the sidecar');
    const exited = once(sidecar.child, 'exit');
    sidecar.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
    await gone(perfPid); // perf was stopped, not left behind
    assert.equal((start.json as RecordingStatus).state, 'recording');
  });

  it('exits in local mode when the process that started it is gone', async (t) => {
    const server = await startFakeRegistrationServer(t, SECRET);
    const dataDir = await workDir(t, 'lifecycle-parent');
    // A shell starts the sidecar, says its PID, and waits; the test then kills only the shell.
    const shell = spawn('sh', ['-c', `node --import tsx ${ROOT}sidecar/main.ts & echo $!; wait`], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: {
        ...process.env,
        FURNACE_SERVER_URL: server.url,
        FURNACE_REGISTRATION_SECRET: SECRET,
        FURNACE_SIDECAR_PORT: '0',
        FURNACE_SIDECAR_DATA: dataDir,
      },
    });
    const [line] = (await once(shell.stdout, 'data')) as [Buffer];
    const sidecarPid = Number(line.toString().trim());
    t.after(() => {
      try {
        process.kill(sidecarPid, 'SIGKILL');
      } catch {
        // gone already, as expected
      }
    });
    await server.registered;
    shell.kill('SIGKILL');
    await gone(sidecarPid);
  });
});
