import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { eventually } from '../harness/eventually.ts';
import { fetchJson } from '../harness/http.ts';
import { localKeyOf } from '../harness/local-server.ts';
import { freePort, portOf } from '../harness/ports.ts';
import { startFurnace } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';

function rawRequest(
  port: number,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...headers, ...(body ? { 'content-type': 'text/plain' } : {}) },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('server process isolation', () => {
  it('connects to a registered address, and after the lease ends answers 404 without connecting', async (t) => {
    const dir = await tempDir(t, 'furnace-isolation-');
    let connections = 0;
    const counter = createServer((socket: Socket) => {
      connections += 1;
      socket.destroy();
    });
    counter.listen(0, '127.0.0.1');
    await once(counter, 'listening');
    t.after(() => counter.close());
    const counterPort = portOf(counter);

    const [port, recorderPort] = [await freePort(), await freePort()];
    await writeFile(
      `${dir}/config.json`,
      JSON.stringify({
        recorder: { port: recorderPort },
        leaseSeconds: 5,
        localSidecar: false,
        dataDir: `${dir}/data`,
        registrationSecret: 's3cret',
      }),
    );
    startFurnace(t, ['server/main.ts', '--local'], {
      FURNACE_CONFIG: `${dir}/config.json`,
      FURNACE_PORT: String(port),
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    await eventually(
      async () => ((await fetch(`${baseUrl}/readyz`)).ok ? true : undefined),
      60_000,
      'the server',
    );
    const { headers: keyed } = await localKeyOf(`${dir}/data`);

    const unknown = await fetchJson<{ code: string }>(`${baseUrl}/proxy/local/no-such-pod/recordings`, {
      headers: keyed,
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'ERR_NOT_REGISTERED');
    assert.equal(connections, 0);

    const registration = await fetchJson<{ proxyToken: string }>(
      `http://127.0.0.1:${recorderPort}/api/v1/sidecars`,
      {
        method: 'POST',
        headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json' },
        body: JSON.stringify({ port: counterPort }),
      },
    );
    assert.equal(registration.status, 200);
    const pod = (
      await fetchJson<{ items: { pod: string }[] }>(`${baseUrl}/api/v1/sidecars`, { headers: keyed })
    ).body.items[0]?.pod;
    const reached = await fetchJson<{ code: string }>(`${baseUrl}/proxy/local/${pod}/recordings`, {
      headers: keyed,
    });
    assert.equal(reached.status, 502, 'the counting socket hangs up, which is a bad gateway');
    assert.equal(connections, 1, 'the counting socket sees the proxied request');

    await eventually(
      async () =>
        (await fetchJson<{ items: [] }>(`${baseUrl}/api/v1/sidecars`, { headers: keyed })).body.items
          .length === 0
          ? true
          : undefined,
      15_000,
      'the lease to end',
    );
    const expired = await fetchJson<{ code: string }>(`${baseUrl}/proxy/local/${pod}/recordings`, {
      headers: keyed,
    });
    assert.equal(expired.status, 404);
    assert.equal(connections, 1, 'no connection for a pod that is not registered');
  });

  it('answers 400 to artifact names outside the fixed set, such as ../../etc/passwd', async (t) => {
    const dir = await tempDir(t, 'furnace-isolation-');
    const [port, recorderPort] = [await freePort(), await freePort()];
    startFurnace(t, ['server/main.ts', '--local'], {
      FURNACE_PORT: String(port),
      FURNACE_RECORDER_PORT: String(recorderPort),
      FURNACE_DATA_DIR: `${dir}/data`,
      FURNACE_LOCAL_SIDECAR: 'false',
    });
    await eventually(
      async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined),
      60_000,
      'the server',
    );
    const { headers: keyed } = await localKeyOf(`${dir}/data`);
    for (const name of ['..%2F..%2Fetc%2Fpasswd', '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd', 'passwd']) {
      assert.equal(
        await rawRequest(port, 'GET', `/api/v1/recordings/rec-1/artifacts/${name}`, undefined, keyed),
        400,
        `GET ${name}`,
      );
      assert.equal(
        await rawRequest(recorderPort, 'PUT', `/api/v1/recordings/rec-1/artifacts/${name}`, 'x'),
        400,
        `PUT ${name}`,
      );
    }
  });
});
