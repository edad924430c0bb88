// Issue 9 items 1 and 7 against the real server process in local mode: sidecars register on their own
// listener, which serves nothing a user calls; the user listener answers only loopback Host headers and
// JSON state changes.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { eventually } from '../harness/eventually.ts';
import { fetchJson } from '../harness/http.ts';
import { freePort } from '../harness/ports.ts';
import { startFurnace } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { HOSTNAME } from './server-processes.ts';

/** A request with the headers given as they are (fetch would set its own Host). */
function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('local mode listeners (server process)', () => {
  it('registers sidecars on the recorder listener only, and refuses rebound hosts and non-JSON starts on the user listener', async (t) => {
    const dir = await tempDir(t, 'furnace-doors-');
    const [port, recorderPort] = [await freePort(), await freePort()];
    const server = startFurnace(t, ['server/main.ts', '--local'], {
      FURNACE_PORT: String(port),
      FURNACE_RECORDER_PORT: String(recorderPort),
      FURNACE_DATA_DIR: `${dir}/data`,
      FURNACE_LOCAL_SIDECAR: 'false',
      FURNACE_REGISTRATION_SECRET: 's3cret',
    });
    const user = `http://127.0.0.1:${port}`;
    const recorder = `http://127.0.0.1:${recorderPort}`;
    await eventually(
      () => Promise.resolve(server.output().includes(`Sidecars register at ${recorder}`) ? true : undefined),
      60_000,
      'both listeners',
    );
    const register = (base: string) =>
      fetchJson<{ proxyToken?: string }>(`${base}/api/v1/sidecars`, {
        method: 'POST',
        headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json' },
        body: JSON.stringify({ port: 9 }),
      });
    assert.equal((await register(user)).status, 404, 'the user listener takes no registration');
    assert.equal((await register(recorder)).status, 200);
    for (const path of [
      '/api/v1/sidecars',
      '/api/v1/recordings',
      `/proxy/local/${HOSTNAME}/recordings`,
      '/metrics',
    ])
      assert.equal(
        (await fetch(`${recorder}${path}`)).status,
        404,
        `the recorder listener does not serve ${path}`,
      );

    const rebound = await raw(port, 'GET', '/api/v1/sidecars', { host: `rebind.attacker.example:${port}` });
    assert.equal(rebound.status, 403);
    assert.doesNotMatch(rebound.body, new RegExp(HOSTNAME), 'the rebound page learns no pod');
    const own = await raw(port, 'GET', '/api/v1/sidecars', { host: `localhost:${port}` });
    assert.equal(own.status, 200);
    assert.match(own.body, new RegExp(`"pod":"${HOSTNAME}"`));

    const textStart = await raw(
      port,
      'POST',
      `/proxy/local/${HOSTNAME}/recordings`,
      { host: `127.0.0.1:${port}`, 'content-type': 'text/plain' },
      '{"durationSeconds": 5}',
    );
    assert.equal(textStart.status, 415, textStart.body);
    assert.equal((JSON.parse(textStart.body) as { code: string }).code, 'ERR_UNSUPPORTED_MEDIA_TYPE');
  });
});
