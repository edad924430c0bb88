// A client that hangs up before the recorder answers its start (Ctrl-C in `kubectl furnace record`, a
// closed tab, a timeout in front of the server): the recorder still answers the server, and the server
// acts on that answer as if the client had stayed — one audit line with the real outcome, the slot given
// back (refused) or committed (accepted, the recording then tracked and catalogued with its starter).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { eventually } from '../../harness/eventually.ts';
import { portOf } from '../../harness/ports.ts';
import { finishedRecordingStatus, recordingStatus } from '../../harness/recording-status.ts';
import { describeLogRecord } from '../../../server/operations/log-text.ts';
import { POD_PROXY, startRecorderAnswering } from './fixture-recorders.ts';
import { buildFixture, HOST, startFakeSidecar, type Fixture } from './server-fixture.ts';

/** The recorder answers this long after a call reached it; its client hung up as soon as it did. */
const RECORDER_DELAY_MS = 600;

interface Abandoned {
  f: Fixture;
  uploadToken: string;
  /** The call's audit lines, as the text log tells them, once the server wrote one. */
  logged: string[];
}

/**
 * POSTs `payload` to `path` of a new server (one start slot per namespace) whose recorder answers `status`
 * and `answer` RECORDER_DELAY_MS after the call reached it; the client hangs up as soon as it did.
 */
async function abandonCall(
  t: TestContext,
  { path, payload, action }: { path: string; payload: object; action: string },
  status: number,
  answer: unknown,
): Promise<Abandoned> {
  const hangUp = new AbortController();
  const recorder = await startRecorderAnswering(t, status, answer, {
    delayMs: RECORDER_DELAY_MS,
    onAsked: () => hangUp.abort(),
  });
  const f = await buildFixture(t, { limits: { maxConcurrentPerNamespace: 1 } });
  const { uploadToken } = await f.registerLocal(recorder);
  const address = await f.app.listen({ port: 0, host: '127.0.0.1' });
  await assert.rejects(
    fetch(`${address}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: hangUp.signal,
    }),
    { name: 'AbortError' },
  );
  const audited = () => f.logLines().filter((line) => line.msg === `audit ${action}`);
  await eventually(
    () => Promise.resolve(audited().length > 0 || undefined),
    RECORDER_DELAY_MS + 3000,
    `the audit line of the ${action}`,
  );
  // Anything the server would write twice has had its time.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { f, uploadToken, logged: audited().map((line) => describeLogRecord(line) ?? '') };
}

const START = {
  path: `${POD_PROXY}/recordings`,
  payload: { durationSeconds: 5, container: 'app' },
  action: 'start',
};
const ACTED = (action: string) => ({ path: `${POD_PROXY}/recordings/rec-9/${action}`, payload: {}, action });

/** Starts a recording of another pod of the namespace (a fake sidecar that accepts): its status and body. */
async function startNeighbour(t: TestContext, f: Fixture): Promise<{ status: number; body: string }> {
  const sidecar = await startFakeSidecar(t);
  f.registry.register({
    namespace: 'local',
    pod: 'neighbour',
    address: { host: '127.0.0.1', port: sidecar.port },
  });
  const answer = await f.app.inject({
    method: 'POST',
    url: '/proxy/local/neighbour/recordings',
    payload: {},
  });
  return { status: answer.statusCode, body: answer.body };
}

describe('server proxy: a start whose client hung up before the recorder answered (fake recorders)', () => {
  it('audits a refused start once, with the refusal, and gives its slot back', async (t) => {
    const refusal = { code: 'ERR_LIMIT_EXCEEDED', message: 'over the limits' };
    const { f, logged } = await abandonCall(t, START, 400, refusal);
    assert.deepEqual(logged, [
      `start on local/${HOST} by anonymous (5 s, container app) refused (400 ERR_LIMIT_EXCEEDED)`,
    ]);

    const next = await startNeighbour(t, f);
    assert.equal(next.status, 201, `the refused start holds no slot: ${next.body}`);
  });

  for (const status of [201, 202]) {
    it(`audits an accepted start (${status}) once, commits its slot, and catalogues the recording with its starter`, async (t) => {
      const { f, uploadToken, logged } = await abandonCall(t, START, status, recordingStatus('rec-9'));
      assert.deepEqual(logged, [
        `recording rec-9 started on local/${HOST} by anonymous (5 s, container app)`,
      ]);

      const full = await startNeighbour(t, f);
      assert.equal(full.status, 400, 'the recording holds the namespace’s one slot');
      assert.match(full.body, /maxConcurrentPerNamespace/);

      // The recorder uploads the finished recording as it would for a client that stayed.
      const uploaded = await f.recorder.inject({
        method: 'PUT',
        url: '/api/v1/recordings/rec-9',
        headers: { authorization: `Bearer ${uploadToken}` },
        payload: finishedRecordingStatus('rec-9'),
      });
      assert.equal(uploaded.statusCode, 200, uploaded.body);
      const list = await f.app.inject({ method: 'GET', url: '/api/v1/recordings' });
      assert.deepEqual(
        list.json<{ items: { id: string; startedBy?: string }[] }>().items.map((e) => [e.id, e.startedBy]),
        [['rec-9', 'anonymous']],
      );
      const after = await startNeighbour(t, f);
      assert.equal(after.status, 201, `the finished recording gave its slot back: ${after.body}`);
    });
  }

  it('audits a stop and a resymbolize once, with the recorder’s answer, when their client hung up', async (t) => {
    const processing = recordingStatus('rec-9', { state: 'processing' });
    const stopped = await abandonCall(t, ACTED('stop'), 200, processing);
    assert.deepEqual(stopped.logged, [`recording rec-9 on local/${HOST} stopped early by anonymous`]);
    const busy = { code: 'ERR_RECORDING_RUNNING', message: 'busy' };
    const resymbolize = await abandonCall(t, ACTED('resymbolize'), 409, busy);
    assert.deepEqual(resymbolize.logged, [
      `resymbolize of recording rec-9 on local/${HOST} by anonymous refused (409 ERR_RECORDING_RUNNING)`,
    ]);
  });

  it('forwards nothing of a stop whose client hung up before its body was whole', async (t) => {
    let asked = 0;
    const recorder = createServer((request, response) => {
      asked += 1;
      request.resume();
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(recordingStatus('rec-9')));
    });
    recorder.listen(0, '127.0.0.1');
    await once(recorder, 'listening');
    t.after(() => recorder.close());
    const f = await buildFixture(t);
    await f.registerLocal(portOf(recorder));
    const address = await f.app.listen({ port: 0, host: '127.0.0.1' });
    // A body that starts and never ends.
    const body = new ReadableStream({
      start: (controller) => controller.enqueue(new TextEncoder().encode('{')),
    });
    await assert.rejects(
      fetch(`${address}${POD_PROXY}/recordings/rec-9/stop`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        duplex: 'half',
        signal: AbortSignal.timeout(150),
      } as RequestInit),
      { name: 'TimeoutError' },
    );
    await new Promise((resolve) => setTimeout(resolve, RECORDER_DELAY_MS));
    assert.equal(asked, 0, 'the recorder was asked nothing');
    assert.deepEqual(
      f.logLines().filter((line) => line.msg === 'audit stop'),
      [],
      'nothing was done, so nothing is audited',
    );
  });

  it('refuses a start answered 2xx without a body as the recorder’s failure (502), naming what was wrong', async (t) => {
    const bodiless = await startRecorderAnswering(t, 204, undefined);
    const f = await buildFixture(t, { limits: { maxConcurrentPerNamespace: 1 } });
    await f.registerLocal(bodiless);
    const answer = await f.app.inject({ method: 'POST', url: `${POD_PROXY}/recordings`, payload: {} });
    assert.equal(answer.statusCode, 502, answer.body);
    const error = answer.json<{ code: string; message: string }>();
    assert.equal(error.code, 'ERR_UPSTREAM_FAILED');
    assert.match(error.message, /\/recordings with 204 and no recording status/);
    const next = await startNeighbour(t, f);
    assert.equal(next.status, 201, `the failed start holds no slot: ${next.body}`);
  });
});
