// A stand-in for the sidecar API used by the proxy benchmark: the same framework (Fastify) and the
// same kind of answers (a RecordingStatus list, a large artifact streamed from disk).
import { createReadStream } from 'node:fs';
import Fastify from 'fastify';

const artifactPath = process.env.BENCH_ARTIFACT ?? '';
const app = Fastify();
const status = {
  id: '20260101T000000-abcdef',
  state: 'done',
  stage: 'upload',
  progress: 1,
  params: {
    durationSeconds: 30,
    frequency: 99,
    event: 'cpu-clock',
    callGraph: 'fp',
    symbols: 'proc',
    systemWide: false,
  },
  targets: [{ pid: 42, comm: 'app', container: 'app' }],
  startedAt: '2026-01-01T00:00:00.000Z',
  endedAt: '2026-01-01T00:00:30.000Z',
  artifacts: ['flamegraph.svg', 'stacks.folded'],
};
app.addHook('onRequest', (request, reply, done) => {
  if (!request.headers.authorization?.startsWith('Bearer ')) void reply.code(401).send();
  done();
});
app.get('/recordings', () => ({ recordings: [status] }));
app.get('/recordings/:id/artifacts/perf.data', (_request, reply) =>
  reply.type('application/octet-stream').send(createReadStream(artifactPath)),
);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
