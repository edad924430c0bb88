// What a hostile or broken sidecar's answers can do through the proxy, on the server's origin: HTML,
// cookies, unknown headers, a 300 MiB start answer, a download that stalls. A stand-in sidecar on
// loopback plays the sidecar.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import Fastify from 'fastify';
import { portOf } from '../../harness/ports.ts';
import { recordingStatus } from '../../harness/recording-status.ts';
import { buildFixture, HOST } from './server-fixture.ts';

const base = `/proxy/local/${HOST}`;
const HTML = '<script>fetch("/api/v1/recordings").then(r => r.text()).then(steal)</script>';

/** A sidecar that answers what no sidecar should; `pushed` counts the bytes of its huge start answer. */
async function startHostileSidecar(t: TestContext) {
  const app = Fastify();
  const counters = { pushed: 0 };
  app.get('/recordings/:id', (_request, reply) =>
    reply
      .type('text/html')
      .header('set-cookie', 'session=stolen; Path=/')
      .send(HTML + ' '.repeat(4 * 1024 * 1024)),
  );
  app.get('/recordings', (_request, reply) =>
    reply
      .header('set-cookie', 'session=stolen; Path=/')
      .header('x-sidecar-says', 'hello')
      .header('refresh', '0; url=https://evil.example/')
      .send({ recordings: [] }),
  );
  app.get('/recordings/r1/artifacts/flamegraph.html', (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(HTML),
  );
  app.get('/recordings/r1/artifacts/perf.data', (_request, reply) => reply.type('text/html').send(HTML));
  app.post('/recordings', (_request, reply) => {
    const chunk = Buffer.alloc(64 * 1024, 32);
    const huge = new Readable({
      read() {
        if (counters.pushed >= 300 * 1024 * 1024) return void this.push(null);
        counters.pushed += chunk.length;
        this.push(chunk);
      },
    });
    return reply.code(201).type('application/json').send(huge);
  });
  app.get('/recordings/stall/artifacts/perf.script', (_request, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    reply.raw.write('main 1 0.1: cpu-clock:\n');
    return reply; // and nothing more, ever
  });
  app.get('/recordings/slow/artifacts/perf.script', async (_request, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    for (let i = 0; i < 6; i++) {
      reply.raw.write(`line ${i}\n`);
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    reply.raw.end();
    return reply;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  return { port: portOf(app.server), counters };
}

async function setUp(t: TestContext, proxyTimeoutSeconds = 5) {
  const f = await buildFixture(t, { proxyTimeoutSeconds });
  const sidecar = await startHostileSidecar(t);
  await f.registerLocal(sidecar.port);
  return { f, sidecar };
}

describe('proxied answers from a hostile sidecar', () => {
  it('refuses an HTML answer where the sidecar API answers JSON (502), passing none of it or its cookie', async (t) => {
    const { f } = await setUp(t);
    const response = await f.app.inject({ method: 'GET', url: `${base}/recordings/rec-1` });
    assert.equal(response.statusCode, 502);
    assert.equal(response.json<{ code: string }>().code, 'ERR_UPSTREAM_FAILED');
    assert.match(response.json<{ message: string }>().message, /content type text\/html/);
    assert.doesNotMatch(response.body, /<script>/);
    assert.equal(response.headers['set-cookie'], undefined);
    assert.match(String(response.headers['content-type']), /^application\/json/);
  });

  it('drops Set-Cookie and unknown headers; every reply says nosniff with a CSP that runs nothing', async (t) => {
    const { f } = await setUp(t);
    const response = await f.app.inject({ method: 'GET', url: `${base}/recordings` });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['set-cookie'], undefined);
    assert.equal(response.headers['x-sidecar-says'], undefined);
    assert.equal(response.headers.refresh, undefined);
    const unregistered = await f.app.inject({ method: 'GET', url: '/proxy/local/nobody/recordings' });
    for (const reply of [response, unregistered]) {
      assert.equal(reply.headers['x-content-type-options'], 'nosniff');
      assert.match(String(reply.headers['content-security-policy']), /default-src 'none'.*sandbox/);
    }
  });

  it("serves an artifact as an attachment of the artifact's own type, and refuses another type for it", async (t) => {
    const { f } = await setUp(t);
    const html = await f.app.inject({
      method: 'GET',
      url: `${base}/recordings/r1/artifacts/flamegraph.html`,
    });
    assert.equal(html.statusCode, 200);
    assert.equal(html.headers['content-disposition'], 'attachment; filename="r1-flamegraph.html"');
    assert.match(String(html.headers['content-security-policy']), /sandbox/);
    const data = await f.app.inject({ method: 'GET', url: `${base}/recordings/r1/artifacts/perf.data` });
    assert.equal(data.statusCode, 502);
    assert.equal(data.headers['content-disposition'], undefined);
  });

  it('reads at most 64 KiB of a 300 MiB start answer: 502 naming the limit, and the sidecar is cut off', async (t) => {
    const { f, sidecar } = await setUp(t);
    const before = process.memoryUsage().rss;
    const response = await f.app.inject({ method: 'POST', url: `${base}/recordings`, payload: {} });
    assert.equal(response.statusCode, 502);
    assert.equal(response.json<{ code: string }>().code, 'ERR_UPSTREAM_FAILED');
    assert.match(response.json<{ message: string }>().message, /start answer is larger than .*65536 bytes/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(
      sidecar.counters.pushed < 32 * 1024 * 1024,
      `the sidecar sent ${sidecar.counters.pushed} bytes`,
    );
    const grown = process.memoryUsage().rss - before;
    assert.ok(grown < 100 * 1024 * 1024, `memory grew by ${grown} bytes`);
  });

  it('ends a download that stalls past the idle timeout, and lets a slow steady one finish', async (t) => {
    const { f } = await setUp(t, 1);
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${portOf(f.app.server)}${base}/recordings`;
    const started = Date.now();
    const stalled = await fetch(`${url}/stall/artifacts/perf.script`, { signal: AbortSignal.timeout(8000) });
    await assert.rejects(stalled.text(), (error: Error) => error.name !== 'TimeoutError');
    assert.ok(Date.now() - started < 6000, `the stalled download ended after ${Date.now() - started} ms`);
    const slow = await fetch(`${url}/slow/artifacts/perf.script`);
    assert.equal(await slow.text(), [0, 1, 2, 3, 4, 5].map((i) => `line ${i}\n`).join(''));
  });

  it('still passes a well-formed start answer through', async (t) => {
    const f = await buildFixture(t);
    const app = Fastify();
    app.post('/recordings', (_request, reply) => reply.code(202).send(recordingStatus('rec-ok')));
    await app.listen({ host: '127.0.0.1', port: 0 });
    t.after(() => app.close());
    await f.registerLocal(portOf(app.server));
    const response = await f.app.inject({ method: 'POST', url: `${base}/recordings`, payload: {} });
    assert.equal(response.statusCode, 202);
    assert.equal(response.json<{ id: string }>().id, 'rec-ok');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
  });
});
