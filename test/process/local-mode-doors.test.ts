// Issue 9 items 1 and 7 against the real server process in local mode: sidecars register on their own
// listener, which serves nothing a user calls; the user listener answers only loopback Host headers and
// JSON state changes.
import assert from 'node:assert/strict';
import { chmod, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { eventually } from '../harness/eventually.ts';
import { fetchJson } from '../harness/http.ts';
import { freePort } from '../harness/ports.ts';
import { run, startFurnace } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { HOSTNAME } from './server-processes.ts';
import { localKeyOf } from '../harness/local-server.ts';
import { visitKeyedUrl } from '../harness/keyed-visit.ts';
import { keyHost } from '../../core/contract/run-key.ts';

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
    const { key, headers: keyed } = await localKeyOf(`${dir}/data`);
    const register = (base: string, cookie = '') =>
      fetchJson<{ proxyToken?: string }>(`${base}/api/v1/sidecars`, {
        method: 'POST',
        headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json', cookie },
        body: JSON.stringify({ port: 9 }),
      });
    // With the key (its cookie), so that the 404 is the route's, not the key's 401.
    const keyCookie = `furnace-local-${port}=${key}`;
    assert.equal((await register(user, keyCookie)).status, 404, 'the user listener takes no registration');
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

    const rebound = await raw(port, 'GET', '/api/v1/sidecars', {
      host: `rebind.attacker.example:${port}`,
      ...keyed,
    });
    assert.equal(rebound.status, 403);
    assert.doesNotMatch(rebound.body, new RegExp(HOSTNAME), 'the rebound page learns no pod');
    const own = await raw(port, 'GET', '/api/v1/sidecars', { host: `localhost:${port}`, ...keyed });
    assert.equal(own.status, 200);
    assert.match(own.body, new RegExp(`"pod":"${HOSTNAME}"`));

    const textStart = await raw(
      port,
      'POST',
      `/proxy/local/${HOSTNAME}/recordings`,
      { host: `127.0.0.1:${port}`, 'content-type': 'text/plain', ...keyed },
      '{"durationSeconds": 5}',
    );
    assert.equal(textStart.status, 415, textStart.body);
    assert.equal((JSON.parse(textStart.body) as { code: string }).code, 'ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers another user of the machine nothing without the key it prints, which only its owner can read', async (t) => {
    const dir = await tempDir(t, 'furnace-key-');
    await chmod(dir, 0o755); // another user may look inside, as in a home directory
    const port = await freePort();
    const server = startFurnace(t, ['server/main.ts', '--local'], {
      FURNACE_PORT: String(port),
      FURNACE_DATA_DIR: `${dir}/data`,
      FURNACE_LOCAL_SIDECAR: 'false',
    });
    const base = `http://127.0.0.1:${port}`;
    await eventually(
      () => Promise.resolve(/Open http\S+furnace-key=/.test(server.output()) || undefined),
      60_000,
      'the address to open',
    );
    const { key, headers } = await localKeyOf(`${dir}/data`);
    assert.ok(server.output().includes(`Open ${base}/?furnace-key=${key} `), server.output());

    // Another user: no key, a wrong one, or the key file, which they may not read.
    for (const path of ['/', '/api/v1/sidecars', '/api/v1/recordings', '/metrics']) {
      const answer = await fetch(`${base}${path}`);
      assert.equal(answer.status, 401, path);
      assert.match(await answer.text(), /open the URL that npm start printed/);
    }
    const start = await fetch(`${base}/proxy/local/${HOSTNAME}/recordings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${'x'.repeat(43)}` },
      body: '{"durationSeconds": 1}',
    });
    assert.equal(start.status, 401, 'a wrong key starts nothing');
    assert.equal((await stat(`${dir}/data/local-key`)).mode & 0o777, 0o600);
    assert.equal((await stat(`${dir}/data`)).mode & 0o777, 0o700, 'nor may they read the recordings');
    await assert.rejects(
      run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', `${dir}/data/local-key`]),
      /Permission denied/,
      'another user cannot read the key',
    );
    assert.equal((await fetch(`${base}/healthz`)).status, 200, 'the probes need no key');

    // The owner: the printed URL once (sent on to the key's own host, where the key moves into a cookie),
    // the cookie after, or the header.
    const { first, second } = await visitKeyedUrl(`${base}/?furnace-key=${key}`);
    assert.equal(first.status, 303);
    assert.equal(first.location, `http://${keyHost({ value: key })}:${port}/?furnace-key=${key}`);
    assert.equal(first.setCookie, undefined, 'no cookie for 127.0.0.1, which every loopback port shares');
    assert.equal(second.moveTo, '/');
    const cookie = second.setCookie ?? '';
    assert.match(cookie, new RegExp(`^furnace-local-${port}=${key}; Path=/; HttpOnly; SameSite=Strict$`));
    const withCookie = await fetch(`${base}/api/v1/sidecars`, {
      headers: { cookie: cookie.split(';')[0] ?? '' },
    });
    assert.equal(withCookie.status, 200);
    assert.equal((await fetch(`${base}/api/v1/sidecars`, { headers })).status, 200);
  });
});
