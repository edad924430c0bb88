// The operator's status read that waits for a recording's end, the whole way: the operator's own server
// client and its fallback (operator/recording/end-wait.ts) → the real server's proxy, which checks the
// answer → the real sidecar app and recording controller (perf is the fixture's fake), or a stand-in
// recorder from before the wait, or a loopback server that never answers.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { readRecordingStatus } from '../../../operator/recording/end-wait.ts';
import { createServerClient } from '../../../operator/recording/server-client.ts';
import { portOf } from '../../harness/ports.ts';
import { auth, sidecarFixture } from '../sidecar/sidecar-fixture.ts';
import { buildFixture, HOST, startFakeSidecar, type FixtureOptions } from './server-fixture.ts';

/** The server's user listener on loopback with the real sidecar app registered behind its proxy. */
async function serverWithSidecar(t: TestContext, options: FixtureOptions = {}) {
  const f = await buildFixture(t, options);
  const sidecar = await sidecarFixture();
  t.after(() => sidecar.close());
  await sidecar.app.listen({ host: '127.0.0.1', port: 0 });
  sidecar.acceptTokens(await f.registerLocal(portOf(sidecar.app.server)));
  await f.app.listen({ host: '127.0.0.1', port: 0 });
  const client = createServerClient({ url: `http://127.0.0.1:${portOf(f.app.server)}` });
  const { id } = (await sidecar.start({ pid: 200, durationSeconds: 60 })).json<RecordingStatus>();
  const target = { namespace: 'local', pod: HOST, recordingId: id };
  const stop = () => sidecar.app.inject({ method: 'POST', url: `/recordings/${id}/stop`, headers: auth });
  return { client, target, stop };
}

/** A loopback server that takes connections and requests and never answers. */
async function silentServer(t: TestContext) {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (data: Buffer) => requests.push(data.toString('latin1').split('\r\n')[0] ?? ''));
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return { url: `http://127.0.0.1:${portOf(server)}`, requests };
}

describe("the operator's status read that waits for the recording's end", () => {
  it('answers through the server as soon as the recording ends, and not before', async (t) => {
    const { client, target, stop } = await serverWithSidecar(t);
    let answered = false;
    const waiting = readRecordingStatus(client, target, 10).then((status) => {
      answered = true;
      return status;
    });
    const plain = await readRecordingStatus(client, target, undefined);
    assert.equal(plain.state, 'recording');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(answered, false, 'the waiting read is held while the recording runs');
    await stop();
    const ended = await waiting;
    assert.equal(ended.state, 'done');
    assert.equal(ended.id, target.recordingId);
  });

  it("falls back to a plain read when the server's proxy cuts the wait", async (t) => {
    // The proxy's answer timeout (1 s) is shorter than the wait: the waiting read is answered 504.
    const { client, target } = await serverWithSidecar(t, { proxyTimeoutSeconds: 1 });
    const warnings: string[] = [];
    const status = await readRecordingStatus(client, target, 5, { warn: (_obj, msg) => warnings.push(msg) });
    assert.equal(status.state, 'recording', 'the plain read answered the status');
    assert.deepEqual(warnings, ['a status read waiting for the end failed; polling instead']);
  });

  it('is answered at once by a recorder from before the wait, which ignores the parameter', async (t) => {
    const f = await buildFixture(t);
    const old = await startFakeSidecar(t);
    await f.registerLocal(old.port);
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    const client = createServerClient({ url: `http://127.0.0.1:${portOf(f.app.server)}` });
    const target = { namespace: 'local', pod: HOST, recordingId: 'rec-7' };
    const status = await readRecordingStatus(client, target, 5);
    assert.equal(status.state, 'recording');
    assert.deepEqual(
      old.requests.map((r) => r.url),
      ['/recordings/rec-7?waitSeconds=5'],
      'one read, the wait passed on by the proxy',
    );
  });

  it('does not hold the operator when nothing answers: the wait gives up, then the plain read does', async (t) => {
    const silent = await silentServer(t);
    const client = createServerClient({ url: silent.url, timeoutMs: 500 });
    const target = { namespace: 'local', pod: HOST, recordingId: 'rec-7' };
    await assert.rejects(readRecordingStatus(client, target, 1), /got no (whole )?answer within/);
    assert.deepEqual(silent.requests, [
      `GET /proxy/local/${HOST}/recordings/rec-7?waitSeconds=1 HTTP/1.1`,
      `GET /proxy/local/${HOST}/recordings/rec-7 HTTP/1.1`,
    ]);
  });
});
