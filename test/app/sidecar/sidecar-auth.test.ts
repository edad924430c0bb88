import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:https';
import { createServingIdentity } from '../../../sidecar/api/self-signed-certificate.ts';
import { callPinned } from '../../harness/http.ts';
import { portOf } from '../../harness/ports.ts';
import { auth, sidecarFixture } from './sidecar-fixture.ts';

const guarded = [
  { method: 'POST' as const, url: '/recordings', payload: { pid: 200 } },
  { method: 'GET' as const, url: '/recordings' },
  { method: 'GET' as const, url: '/recordings/rec-1' },
  { method: 'POST' as const, url: '/recordings/rec-1/stop' },
  { method: 'GET' as const, url: '/recordings/rec-1/artifacts/flamegraph.svg' },
];

describe('sidecar proxy token', () => {
  it('answers /healthz without a token', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const response = await fixture.app.inject({ url: '/healthz' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok', registered: true });
  });

  for (const [label, headers] of [
    ['missing', {}],
    ['wrong', { authorization: 'Bearer not-the-token' }],
    ['not a bearer', { authorization: 'Basic cHJveHk6dG9rZW4=' }],
    ['empty', { authorization: 'Bearer ' }],
  ] as const) {
    it(`refuses every other route with 401 when the token is ${label}`, async (t) => {
      const fixture = await sidecarFixture();
      t.after(() => fixture.close());
      for (const request of guarded) {
        const response = await fixture.app.inject({ ...request, headers });
        assert.equal(response.statusCode, 401, `${request.method} ${request.url}`);
        assert.equal(response.json<{ code: string }>().code, 'ERR_UNAUTHENTICATED');
      }
      assert.equal(fixture.perf.records.length, 0, 'nothing was started');
    });
  }

  it('accepts the token the server handed out at registration', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const response = await fixture.app.inject({ url: '/recordings', headers: auth });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { recordings: [] });
  });

  it('serves the API over HTTPS only once main.ts serves it there, and /healthz to the probes over plain HTTP', async (t) => {
    const fixture = await sidecarFixture({}, { requireTls: true });
    t.after(() => fixture.close());
    const plain = await fixture.app.inject({ method: 'GET', url: '/recordings', headers: auth });
    assert.equal(plain.statusCode, 403, 'the right proxy token over plain HTTP is not enough');
    assert.match(plain.json<{ message: string }>().message, /HTTPS only/);
    assert.equal((await fixture.app.inject({ url: '/healthz' })).statusCode, 200);
    await fixture.app.ready();
    const identity = await createServingIdentity();
    const tls = createServer({ key: identity.keyPem, cert: identity.certPem }, (request, response) =>
      fixture.app.routing(request, response),
    );
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    t.after(() => {
      tls.closeAllConnections();
      tls.close();
    });
    const secure = await callPinned(`https://127.0.0.1:${portOf(tls)}/recordings`, identity.pin, {
      headers: auth,
    });
    assert.equal(secure.status, 200, secure.body);
  });
});
