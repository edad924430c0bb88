// A recording whose upload waits for a server that was killed (kill -9) keeps the duration perf sampled:
// the catalog's entry ends when sampling ended, not when the restarted server finally took the upload
// (issue 44: Duration showed the time to the restart). Real server and sidecar processes, real perf.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../harness/eventually.ts';
import { runHotProgram } from '../harness/hot-program.ts';
import { fetchJson } from '../harness/http.ts';
import { localKeyOf } from '../harness/local-server.ts';
import { freePort } from '../harness/ports.ts';
import { startFurnace } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { HOSTNAME } from './server-processes.ts';

const LEASE_SECONDS = 5;
const DURATION_SECONDS = 3;
const SERVER_AWAY_MS = 10_000;

describe('server killed while a recording runs', () => {
  it('the entry uploaded after the restart ends when sampling ended', async (t) => {
    const dir = await tempDir(t, 'furnace-killed-duration-');
    const [port, recorderPort] = [await freePort(), await freePort()];
    const secret = 'duration-test-secret';
    await writeFile(
      `${dir}/config.yaml`,
      `leaseSeconds: ${LEASE_SECONDS}\nlocalSidecar: false\ndataDir: ${dir}/data\n`,
    );
    const serverEnv = {
      FURNACE_CONFIG: `${dir}/config.yaml`,
      FURNACE_PORT: String(port),
      FURNACE_RECORDER_PORT: String(recorderPort),
      FURNACE_REGISTRATION_SECRET: secret,
    };
    const baseUrl = `http://127.0.0.1:${port}`;
    const startServer = () => startFurnace(t, ['server/main.ts', '--local'], serverEnv);
    const ready = async () =>
      (await fetch(`${baseUrl}/readyz`).catch(() => undefined))?.ok ? true : undefined;
    const server = startServer();
    await eventually(ready, 60_000, 'the server');
    const { headers } = await localKeyOf(`${dir}/data`);
    startFurnace(t, ['sidecar/main.ts'], {
      FURNACE_SERVER_URL: `http://127.0.0.1:${recorderPort}`,
      FURNACE_REGISTRATION_SECRET: secret,
      FURNACE_POD_NAMESPACE: 'local',
      FURNACE_POD_NAME: HOSTNAME,
      FURNACE_SIDECAR_PORT: '0',
      FURNACE_SIDECAR_TLS_PORT: '0',
      FURNACE_SIDECAR_DATA: `${dir}/sidecar`,
    });
    await eventually(
      async () => {
        const list = await fetchJson<{ items: { pod: string }[] }>(`${baseUrl}/api/v1/sidecars`, { headers });
        return list.body.items.some((i) => i.pod === HOSTNAME) ? true : undefined;
      },
      60_000,
      'the sidecar to register',
    );
    const program = await runHotProgram(t, dir, 120, 25);
    const started = await fetchJson<{ id: string }>(`${baseUrl}/proxy/local/${HOSTNAME}/recordings`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ processPattern: program, durationSeconds: DURATION_SECONDS, frequency: 99 }),
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    await sleep(1000);
    server.child.kill('SIGKILL');
    await server.exited;
    await sleep(SERVER_AWAY_MS);

    startServer();
    await eventually(ready, 60_000, 'the restarted server');
    const entry = await eventually(
      async () => {
        const answer = await fetchJson<{ state: string; startedAt: string; endedAt?: string }>(
          `${baseUrl}/api/v1/recordings/${started.body.id}`,
          { headers },
        );
        return answer.status === 200 && answer.body.state === 'done' ? answer.body : undefined;
      },
      LEASE_SECONDS * 1000 + 30_000,
      'the sidecar to upload the recording to the restarted server',
      500,
    );
    assert.ok(entry.endedAt, JSON.stringify(entry));
    const seconds = (Date.parse(entry.endedAt) - Date.parse(entry.startedAt)) / 1000;
    assert.ok(
      seconds >= DURATION_SECONDS - 0.5 && seconds < DURATION_SECONDS + 3,
      `the entry spans ${seconds} s; perf sampled ${DURATION_SECONDS} s and the server was away ${SERVER_AWAY_MS / 1000} s`,
    );
  });
});
