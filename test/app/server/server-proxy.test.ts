import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { freePort, portOf } from '../../harness/ports.ts';
import { finishedRecordingStatus } from '../../harness/recording-status.ts';
import {
  auditedThrough,
  POD_PROXY as base,
  startRecorderAnswering,
  startRefusingRecorder,
} from './fixture-recorders.ts';
import { buildFixture, HOST, startFakeSidecar } from './server-fixture.ts';

/** POST recordings/<id>/<action> to the recorder on sidecarPort: its status and audit lines as told. */
async function actedThrough(t: TestContext, action: 'stop' | 'resymbolize', sidecarPort: number, id: string) {
  const { status, logged } = await auditedThrough(t, sidecarPort, {
    action,
    path: `${base}/recordings/${id}/${action}`,
  });
  return { status, logged };
}

describe('server proxy to a fake sidecar', () => {
  it('forwards a read with the proxy token and strips the user credentials', async (t) => {
    const f = await buildFixture(t);
    const sidecar = await startFakeSidecar(t);
    const { proxyToken: token } = await f.registerLocal(sidecar.port);
    const response = await f.app.inject({
      method: 'GET',
      url: `${base}/recordings/rec-7?x=1`,
      headers: { authorization: 'Bearer user-token', cookie: 'session=secret' },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json<{ id: string }>().id, 'rec-7');
    const seen = sidecar.requests.at(-1);
    assert.equal(seen?.url, '/recordings/rec-7?x=1');
    assert.equal(seen?.headers.authorization, `Bearer ${token}`);
    assert.equal(seen?.headers.cookie, undefined);
  });

  it('answers 404 for an unregistered pod without connecting anywhere', async (t) => {
    const f = await buildFixture(t);
    const sidecar = await startFakeSidecar(t);
    const response = await f.app.inject({ method: 'GET', url: `${base}/recordings` });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json<{ code: string }>().code, 'ERR_NOT_REGISTERED');
    assert.equal(sidecar.connections(), 0);
  });

  it('answers 404 once the lease has expired', async (t) => {
    const f = await buildFixture(t);
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    f.advance(31);
    const response = await f.app.inject({ method: 'GET', url: `${base}/recordings` });
    assert.equal(response.statusCode, 404);
    assert.equal(sidecar.connections(), 0);
  });

  it('starts a recording, passes the body through and writes one audit line', async (t) => {
    const f = await buildFixture(t);
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    const body = { durationSeconds: 5, frequency: 49, processPattern: 'hot', container: 'app' };
    const response = await f.app.inject({ method: 'POST', url: `${base}/recordings`, payload: body });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json<{ id: string }>().id, 'rec-1');
    assert.deepEqual(sidecar.requests.at(-1)?.body, body);
    const audits = f.logLines().filter((line) => line.audit);
    assert.equal(audits.length, 1);
    assert.deepEqual(
      { ...(audits[0]?.audit as object), params: undefined },
      {
        action: 'start',
        namespace: 'local',
        pod: HOST,
        container: 'app',
        recording: 'rec-1',
        user: 'anonymous',
        groups: [],
        params: undefined,
      },
    );
  });

  it('refuses a start over the limits with 400 naming the field, before connecting', async (t) => {
    const f = await buildFixture(t, { limits: { maxDurationSeconds: 60 } });
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    for (const [payload, field] of [
      [{ durationSeconds: 61 }, 'durationSeconds'],
      [{ frequency: 100000 }, 'frequency'],
      [{ event: 'bogus' }, 'event'],
    ] as const) {
      const response = await f.app.inject({ method: 'POST', url: `${base}/recordings`, payload });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json<{ details: { field: string } }>().details.field, field);
    }
    const bad = await f.app.inject({
      method: 'POST',
      url: `${base}/recordings`,
      payload: '{nope',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(sidecar.connections(), 0);
  });

  it('enforces the per-namespace concurrency until the recording is catalogued as done', async (t) => {
    const f = await buildFixture(t, { limits: { maxConcurrentPerNamespace: 1 } });
    const sidecar = await startFakeSidecar(t);
    const { uploadToken: token } = await f.registerLocal(sidecar.port);
    assert.equal(
      (await f.app.inject({ method: 'POST', url: `${base}/recordings`, payload: {} })).statusCode,
      201,
    );
    const second = await f.app.inject({ method: 'POST', url: `${base}/recordings`, payload: {} });
    assert.equal(second.statusCode, 400);
    assert.equal(second.json<{ details: { field: string } }>().details.field, 'maxConcurrentPerNamespace');
    const done = await f.recorder.inject({
      method: 'PUT',
      url: '/api/v1/recordings/rec-1',
      headers: { authorization: `Bearer ${token}` },
      payload: finishedRecordingStatus('rec-1'),
    });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(
      (await f.app.inject({ method: 'POST', url: `${base}/recordings`, payload: {} })).statusCode,
      201,
    );
  });

  it('enforces the per-cluster concurrency', async (t) => {
    const f = await buildFixture(t, { limits: { maxConcurrentPerCluster: 1 } });
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    assert.equal(
      (await f.app.inject({ method: 'POST', url: `${base}/recordings`, payload: {} })).statusCode,
      201,
    );
    const second = await f.app.inject({ method: 'POST', url: `${base}/recordings`, payload: {} });
    assert.equal(second.json<{ details: { field: string } }>().details.field, 'maxConcurrentPerCluster');
  });

  it('audits a stop and forwards it', async (t) => {
    const f = await buildFixture(t);
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    const response = await f.app.inject({
      method: 'POST',
      url: `${base}/recordings/rec-3/stop`,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.statusCode, 200);
    const audit = f.logLines().find((line) => line.audit)?.audit as { action: string; recording: string };
    assert.deepEqual([audit.action, audit.recording], ['stop', 'rec-3']);
  });

  // Issue 44 item 13: a stop the recorder answered 404 was logged as 'stopped early' (audited before it
  // was forwarded, without the answer). The audit line carries the answer's status, and the text log says so.
  it('audits a stop the sidecar refused, or could not be asked, as refused: never as stopped early', async (t) => {
    const gone = await startRefusingRecorder(t, 404, 'ERR_NOT_FOUND');
    const sidecar = await startFakeSidecar(t);

    assert.deepEqual(await actedThrough(t, 'stop', gone, 'gone-1'), {
      status: 404,
      logged: [`stop of recording gone-1 on local/${HOST} by anonymous refused (404 ERR_NOT_FOUND)`],
    });
    assert.deepEqual(await actedThrough(t, 'stop', await freePort(), 'rec-5'), {
      status: 502,
      logged: [`stop of recording rec-5 on local/${HOST} by anonymous refused (502)`],
    });
    assert.deepEqual(await actedThrough(t, 'stop', sidecar.port, 'rec-4'), {
      status: 200,
      logged: [`recording rec-4 on local/${HOST} stopped early by anonymous`],
    });
  });

  // A resymbolize was audited at admission, before it was forwarded: one the recorder refused (no such
  // recording, busy) or that never reached it was logged like one it took. Its line now carries the answer.
  it('audits a resymbolize the sidecar refused, or could not be asked, as refused: never as asked', async (t) => {
    const gone = await startRefusingRecorder(t, 404, 'ERR_NOT_FOUND');
    const busy = await startRefusingRecorder(t, 409, 'ERR_RECORDING_RUNNING');
    // As the real sidecar takes one: 202 and the recording's status.
    const taking = await startRecorderAnswering(t, 202, finishedRecordingStatus('rec-4'));

    assert.deepEqual(await actedThrough(t, 'resymbolize', gone, 'gone-1'), {
      status: 404,
      logged: [`resymbolize of recording gone-1 on local/${HOST} by anonymous refused (404 ERR_NOT_FOUND)`],
    });
    assert.deepEqual(await actedThrough(t, 'resymbolize', busy, 'rec-2'), {
      status: 409,
      logged: [
        `resymbolize of recording rec-2 on local/${HOST} by anonymous refused (409 ERR_RECORDING_RUNNING)`,
      ],
    });
    assert.deepEqual(await actedThrough(t, 'resymbolize', await freePort(), 'rec-5'), {
      status: 502,
      logged: [`resymbolize of recording rec-5 on local/${HOST} by anonymous refused (502)`],
    });
    assert.deepEqual(await actedThrough(t, 'resymbolize', taking, 'rec-4'), {
      status: 202,
      logged: [`recording rec-4 on local/${HOST}: symbolizing again, asked by anonymous`],
    });
  });

  it('streams a large artifact from the sidecar', async (t) => {
    const f = await buildFixture(t);
    const sidecar = await startFakeSidecar(t, { big: 8 * 1024 * 1024 });
    await f.registerLocal(sidecar.port);
    const response = await f.app.inject({ method: 'GET', url: `${base}/recordings/big/artifacts/perf.data` });
    assert.equal(response.statusCode, 200);
    assert.equal(response.rawPayload.length, 8 * 1024 * 1024);
  });

  it('maps a refused connection to 502 with a message', async (t) => {
    const f = await buildFixture(t);
    await f.registerLocal(await freePort());
    const response = await f.app.inject({ method: 'GET', url: `${base}/recordings` });
    assert.equal(response.statusCode, 502);
    assert.equal(response.json<{ code: string }>().code, 'ERR_UPSTREAM_FAILED');
    assert.match(response.json<{ message: string }>().message, /could not be reached/);
  });

  it('maps a sidecar that does not answer in time to 504', async (t) => {
    const f = await buildFixture(t, { proxyTimeoutSeconds: 1 });
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    const response = await f.app.inject({ method: 'GET', url: `${base}/slow` });
    assert.equal(response.statusCode, 504);
    assert.equal(response.json<{ code: string }>().code, 'ERR_UPSTREAM_TIMEOUT');
  });

  it('passes a streamed artifact through as it comes', async (t) => {
    const f = await buildFixture(t);
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    const port = portOf(f.app.server);
    const response = await fetch(`http://127.0.0.1:${port}${base}/recordings/live/artifacts/perf.script`);
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    const reader = response.body!.getReader();
    const first = await reader.read();
    assert.equal(
      Buffer.from(first.value ?? []).toString(),
      'hot 1 0.5: cpu-clock:\n',
      'the first chunk arrives while the stream is open',
    );
    await fetch(`http://127.0.0.1:${port}${base}/events/finish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += Buffer.from(chunk.value).toString();
    assert.equal(rest, 'hot 1 1.0: cpu-clock:\n');
  });
});
