// Issue 9 item 7: local mode (auth `none`) answers only loopback Host headers and same-origin browser
// requests, and state-changing calls need a JSON content type (what a web page can send to another
// origin without a preflight is a form or text body).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { finishedRecordingStatus } from '../../harness/recording-status.ts';
import { buildFixture, startFakeSidecar } from './server-fixture.ts';
import { getSidecars } from '../../harness/server-calls.ts';

const start = { method: 'POST' as const, url: '/proxy/local/test-host/recordings' };
const json = { 'content-type': 'application/json' };

describe('local mode request guard', () => {
  it('refuses a DNS-rebound host name, and serves loopback names with any port', async (t) => {
    const f = await buildFixture(t);
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    for (const host of [
      'rebind.attacker.example:8080',
      'furnace.local',
      '10.0.0.5:8080',
      '127.0.0.1.nip.io',
    ]) {
      for (const url of ['/api/v1/sidecars', '/api/v1/recordings', '/proxy/local/test-host/recordings']) {
        const response = await f.app.inject({ method: 'GET', url, headers: { host } });
        assert.equal(response.statusCode, 403, `${host} ${url}`);
        assert.equal(response.json<{ code: string }>().code, 'ERR_FORBIDDEN');
      }
      const started = await f.app.inject({ ...start, headers: { host, ...json }, payload: '{}' });
      assert.equal(started.statusCode, 403, `start with Host ${host}`);
    }
    assert.equal(sidecar.requests.length, 0, 'nothing reached the sidecar');
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', 'localhost', '127.0.0.1:9000']) {
      const response = await getSidecars(f.app, { host });
      assert.equal(response.statusCode, 200, host);
    }
  });

  it("refuses browser requests from another origin, and serves the listener's own pages", async (t) => {
    const f = await buildFixture(t);
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    const host = '127.0.0.1:8080';
    const foreign = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
    ];
    for (const headers of foreign) {
      const response = await f.app.inject({
        ...start,
        headers: { host, ...json, ...headers },
        payload: '{}',
      });
      assert.equal(response.statusCode, 403, JSON.stringify(headers));
      const read = await f.app.inject({
        method: 'GET',
        url: '/api/v1/recordings',
        headers: { host, ...headers },
      });
      assert.equal(read.statusCode, 403, `GET ${JSON.stringify(headers)}`);
    }
    assert.equal(sidecar.requests.length, 0);
    const own = {
      host,
      origin: 'http://127.0.0.1:8080',
      'sec-fetch-site': 'same-origin',
      'sec-fetch-mode': 'cors',
    };
    const started = await f.app.inject({ ...start, headers: { ...own, ...json }, payload: '{}' });
    assert.equal(started.statusCode, 201, started.body);
    const link = { host, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' };
    const followed = await f.app.inject({ method: 'GET', url: '/api/v1/recordings', headers: link });
    assert.equal(followed.statusCode, 200, 'a link followed from another site loads like a typed URL');
  });

  it('answers 415 to starts and stops without a JSON content type, and forwards nothing', async (t) => {
    const f = await buildFixture(t);
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    const bodies = [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'multipart/form-data; boundary=x' },
      {},
    ];
    for (const headers of bodies) {
      for (const url of [start.url, '/proxy/local/test-host/recordings/rec-1/stop']) {
        const response = await f.app.inject({
          method: 'POST',
          url,
          headers,
          ...(headers['content-type'] ? { payload: 'durationSeconds=5' } : {}),
        });
        assert.equal(response.statusCode, 415, `${url} ${JSON.stringify(headers)}: ${response.body}`);
        assert.equal(response.json<{ code: string }>().code, 'ERR_UNSUPPORTED_MEDIA_TYPE');
      }
    }
    assert.equal(sidecar.requests.length, 0);
    const stopped = await f.app.inject({
      method: 'POST',
      url: '/proxy/local/test-host/recordings/rec-1/stop',
      headers: json,
    });
    assert.equal(stopped.statusCode, 200, stopped.body);
  });

  it('leaves the recorder listener to sidecars: artifact uploads keep their own content types', async (t) => {
    const f = await buildFixture(t);
    const { uploadToken: token } = await f.registerLocal(4000);
    const headers = { authorization: `Bearer ${token}`, host: 'sidecar-facing.example' };
    const put = await f.recorder.inject({
      method: 'PUT',
      url: '/api/v1/recordings/rec-1',
      headers,
      payload: finishedRecordingStatus('rec-1'),
    });
    assert.equal(put.statusCode, 200, put.body);
    const artifact = await f.recorder.inject({
      method: 'PUT',
      url: '/api/v1/recordings/rec-1/artifacts/stacks.folded',
      headers: { ...headers, 'content-type': 'text/plain' },
      payload: 'main;hot 1\n',
    });
    assert.equal(artifact.statusCode, 201, artifact.body);
  });
});
