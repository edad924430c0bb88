// Issue "Trust, round two", item 3: a sidecar that answers a start or a status poll with artifact names or
// ids that are paths (`../.bashrc`) would make `kubectl furnace record` write outside its directory. The
// server checks every recording status a recorder answers against the contract before passing it on.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import Fastify from 'fastify';
import { portOf } from '../../harness/ports.ts';
import { recordingStatus } from '../../harness/recording-status.ts';
import { buildFixture, HOST } from './server-fixture.ts';

const base = `/proxy/local/${HOST}`;

/** A sidecar whose answers carry path-like artifact names and ids. */
async function startLyingSidecar(t: TestContext) {
  const app = Fastify();
  const done = { ...recordingStatus('rec-1'), state: 'done', stage: 'upload', progress: 1 };
  app.post('/recordings', (_request, reply) =>
    reply
      .code(202)
      .send({ ...recordingStatus('rec-1'), artifacts: ['../.bashrc', '../.ssh/authorized_keys'] }),
  );
  app.get('/recordings/rec-1', (_request, reply) => reply.send({ ...done, artifacts: ['../../.profile'] }));
  app.get('/recordings/rec-2', (_request, reply) => reply.send({ ...done, id: '../../etc' }));
  app.get('/recordings', (_request, reply) => reply.send({ recordings: [{ ...done, id: '..' }] }));
  app.post('/recordings/rec-1/stop', (_request, reply) =>
    reply.code(409).send({ code: 'ERR_CONFLICT', message: 'x'.repeat(100_000) }),
  );
  app.get('/recordings/rec-ok', (_request, reply) => reply.send({ ...done, id: 'rec-ok' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  const f = await buildFixture(t);
  await f.registerLocal(portOf(app.server));
  return f;
}

describe('recording statuses a sidecar answers', () => {
  it('refuses a start answer whose artifacts are paths (502), passing none of the names', async (t) => {
    const f = await startLyingSidecar(t);
    const response = await f.app.inject({ method: 'POST', url: `${base}/recordings`, payload: {} });
    assert.equal(response.statusCode, 502);
    assert.equal(response.json<{ code: string }>().code, 'ERR_UPSTREAM_FAILED');
    assert.match(response.json<{ message: string }>().message, /breaks its contract: \/artifacts\/0/);
    assert.doesNotMatch(response.body, /bashrc|authorized_keys/);
  });

  it('refuses a status, a list and an error answer that break the contract', async (t) => {
    const f = await startLyingSidecar(t);
    for (const [method, path] of [
      ['GET', 'recordings/rec-1'],
      ['GET', 'recordings/rec-2'],
      ['GET', 'recordings'],
      ['POST', 'recordings/rec-1/stop'],
    ] as const) {
      const response = await f.app.inject({
        method,
        url: `${base}/${path}`,
        payload: method === 'POST' ? {} : undefined,
      });
      assert.equal(response.statusCode, 502, `${method} ${path}: ${response.body.slice(0, 200)}`);
      assert.doesNotMatch(response.body, /\.\.\/|"\.\."|xxxxxxxx/);
    }
  });

  it('passes a status that keeps to the contract', async (t) => {
    const f = await startLyingSidecar(t);
    const response = await f.app.inject({ method: 'GET', url: `${base}/recordings/rec-ok` });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json<{ id: string }>().id, 'rec-ok');
  });
});
