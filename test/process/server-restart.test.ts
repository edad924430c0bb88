import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { eventually } from '../harness/eventually.ts';
import { runHotProgram } from '../harness/hot-program.ts';
import { fetchJson } from '../harness/http.ts';
import { localKeyOf } from '../harness/local-server.ts';
import { freePort } from '../harness/ports.ts';
import { startFurnace } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { HOSTNAME, recordThroughProxy } from './server-processes.ts';

const LEASE_SECONDS = 6;

describe('server and sidecar processes', () => {
  it('record through the proxy into the catalog, which survives a server restart, and the sidecar is back within one lease', async (t) => {
    const dir = await tempDir(t, 'furnace-restart-');
    const [port, recorderPort] = [await freePort(), await freePort()];
    const secret = 'process-test-secret';
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
    let server = startServer();
    const ready = async () => ((await fetch(`${baseUrl}/readyz`)).ok ? true : undefined);
    await eventually(ready, 60_000, 'the server');
    const { headers: keyed } = await localKeyOf(`${dir}/data`);
    startFurnace(t, ['sidecar/main.ts'], {
      FURNACE_SERVER_URL: `http://127.0.0.1:${recorderPort}`,
      FURNACE_REGISTRATION_SECRET: secret,
      FURNACE_POD_NAMESPACE: 'local',
      FURNACE_POD_NAME: HOSTNAME,
      FURNACE_SIDECAR_PORT: '0',
      FURNACE_SIDECAR_TLS_PORT: '0',
      FURNACE_SIDECAR_DATA: `${dir}/sidecar`,
    });
    const registered = async () => {
      const list = await fetchJson<{ items: { pod: string }[] }>(`${baseUrl}/api/v1/sidecars`, {
        headers: keyed,
      });
      return list.body.items.some((i) => i.pod === HOSTNAME) ? true : undefined;
    };
    await eventually(registered, 60_000, 'the sidecar to register');
    const program = await runHotProgram(t, dir);
    const entry = await recordThroughProxy(baseUrl, HOSTNAME, program, keyed);

    assert.equal(await server.stop(), 0);
    server = startServer();
    await eventually(ready, 60_000, 'the restarted server');
    const restartedAt = Date.now();
    const kept = await fetchJson<{ items: { id: string }[] }>(`${baseUrl}/api/v1/recordings`, {
      headers: keyed,
    });
    assert.deepEqual(
      kept.body.items.map((e) => e.id),
      [entry.id],
    );
    const svg = await fetch(`${baseUrl}/api/v1/recordings/${entry.id}/artifacts/flamegraph.svg`, {
      headers: keyed,
    });
    assert.match(await svg.text(), /furnace_light/);

    await eventually(registered, LEASE_SECONDS * 1000 + 5000, 'the sidecar to register again');
    assert.ok(Date.now() - restartedAt <= LEASE_SECONDS * 1000 + 1000, 'back within one lease');
    const again = await fetchJson<{ items: unknown[] }>(`${baseUrl}/proxy/local/${HOSTNAME}/recordings`, {
      headers: keyed,
    });
    assert.equal(again.status, 200, 'the proxy reaches the sidecar with the new proxy token');
  });
});
