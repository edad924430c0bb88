import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter } from 'prom-client';
import { buildFixture, startFakeSidecar } from './server-fixture.ts';

describe('server operations', () => {
  it('answers healthz and readyz', async (t) => {
    const f = await buildFixture(t);
    assert.deepEqual((await f.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
    assert.deepEqual((await f.app.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ready' });
  });

  it('exposes sidecars, recordings, proxy latency and the webhook counter on /metrics', async (t) => {
    const f = await buildFixture(t);
    new Counter({
      name: 'furnace_webhook_decisions_total',
      help: 'test',
      labelNames: ['reason'],
      registers: [f.metricsRegistry],
    }).inc({ reason: 'injected' });
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    await f.app.inject({ method: 'GET', url: '/proxy/local/test-host/recordings' });
    await f.app.inject({ method: 'POST', url: '/proxy/local/test-host/recordings', payload: {} });
    const text = (await f.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(text, /^furnace_registered_sidecars 1$/m);
    assert.match(text, /^furnace_recordings\{phase="done"\} 0$/m);
    assert.match(text, /^furnace_recordings\{phase="recording"\} 1$/m);
    assert.match(text, /^furnace_proxy_request_duration_seconds_count\{method="GET",status="200"\} 1$/m);
    assert.match(text, /^furnace_webhook_decisions_total\{reason="injected"\} 1$/m);
  });

  it('answers unknown routes with a JSON 404', async (t) => {
    const f = await buildFixture(t);
    const response = await f.app.inject({ method: 'GET', url: '/nope' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json<{ code: string }>().code, 'ERR_NOT_FOUND');
  });

  it('never writes the registration secret, proxy or upload tokens to the log', async (t) => {
    const f = await buildFixture(t);
    const { proxyToken, uploadToken } = await f.registerLocal(4000);
    const log = JSON.stringify(f.logLines());
    assert.equal(log.includes('local-secret'), false);
    assert.equal(log.includes(proxyToken), false);
    assert.equal(log.includes(uploadToken), false);
  });
});
