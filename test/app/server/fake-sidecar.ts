// A stand-in sidecar API on loopback for the app tier's server fixture (server-fixture.ts re-exports it).
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { TestContext } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { FAKE_PROCESS_MATCHES, recordingStatus } from '../../harness/recording-status.ts';
import { portOf } from '../../harness/ports.ts';

export interface FakeSidecar {
  port: number;
  /** Headers of every request the fake received. */
  requests: { method: string; url: string; headers: Record<string, unknown>; body: unknown }[];
  connections: () => number;
  app: FastifyInstance;
}

export interface FakeSidecarOptions {
  /** Bytes of the /big stream. */
  big?: number;
  /** How long a start waits before it answers. */
  startDelayMs?: number;
  /** The status a start answers with (201 and a recording status by default; else an error body). */
  startStatus?: number;
  /** What a read of a recording answers (default: still recording). */
  statusOf?: (id: string) => ReturnType<typeof recordingStatus>;
}

/**
 * A stand-in sidecar API on loopback: answers starts, reads, its processes, a large artifact (`big`), an
 * artifact that streams until told to finish (`live`), and a slow route.
 */
export async function startFakeSidecar(
  t: TestContext,
  options: FakeSidecarOptions = {},
): Promise<FakeSidecar> {
  const { big = 8 * 1024 * 1024, statusOf = (id: string) => recordingStatus(id) } = options;
  const app = Fastify();
  // As the real sidecar: an empty JSON body (a stop) is an empty request.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    done(null, text.trim() === '' ? undefined : (JSON.parse(text) as unknown));
  });
  const requests: FakeSidecar['requests'] = [];
  let connections = 0;
  app.server.on('connection', (_socket: Socket) => {
    connections += 1;
  });
  app.addHook('preHandler', (request, _reply, done) => {
    requests.push({
      method: request.method,
      url: request.url,
      headers: { ...request.headers },
      body: request.body,
    });
    done();
  });
  let started = 0;
  app.post('/recordings', async (_request, reply) => {
    if (options.startDelayMs) await new Promise((resolve) => setTimeout(resolve, options.startDelayMs));
    const status = options.startStatus ?? 201;
    if (status !== 201) return reply.code(status).send({ code: 'ERR_RECORDING_RUNNING', message: 'busy' });
    return reply.code(201).send(recordingStatus(`rec-${++started}`));
  });
  app.get('/recordings', () => ({ items: [] }));
  app.get('/processes', () => FAKE_PROCESS_MATCHES);
  app.get('/recordings/:id', (request) => statusOf((request.params as { id: string }).id));
  app.post('/recordings/:id/stop', (request) =>
    recordingStatus((request.params as { id: string }).id, { state: 'processing' }),
  );
  app.get('/recordings/big/artifacts/perf.data', (_request, reply) => {
    const chunk = Buffer.alloc(64 * 1024, 97);
    let sent = 0;
    const stream = new Readable({
      read() {
        if (sent >= big) {
          this.push(null);
          return;
        }
        sent += chunk.length;
        this.push(chunk);
      },
    });
    return reply.type('application/octet-stream').send(stream);
  });
  const openStreams: { end: (chunk: string) => void }[] = [];
  app.get('/recordings/live/artifacts/perf.script', (_request, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' });
    reply.raw.write('hot 1 0.5: cpu-clock:\n');
    openStreams.push(reply.raw);
    return reply;
  });
  app.post('/events/finish', () => {
    for (const stream of openStreams.splice(0)) stream.end('hot 1 1.0: cpu-clock:\n');
    return { finished: true };
  });
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    return { late: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  return { port: portOf(app.server), requests, connections: () => connections, app };
}
