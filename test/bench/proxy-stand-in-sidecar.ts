// A stand-in for the sidecar API used by the proxy benchmark: the same framework (Fastify) and the
// same kind of answers (a RecordingStatus list, a large artifact streamed from disk).
import { createReadStream } from 'node:fs';
import Fastify from 'fastify';
import { portOf } from '../harness/ports.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';

const artifactPath = process.env.BENCH_ARTIFACT ?? '';
const app = Fastify();
const status = finishedRecordingStatus('20260101T000000-abcdef', {
  artifacts: ['flamegraph.svg', 'stacks.folded'],
});
app.addHook('onRequest', (request, reply, done) => {
  if (!request.headers.authorization?.startsWith('Bearer ')) void reply.code(401).send();
  done();
});
app.get('/recordings', () => ({ recordings: [status] }));
app.get('/recordings/:id/artifacts/perf.data', (_request, reply) =>
  reply.type('application/octet-stream').send(createReadStream(artifactPath)),
);
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${portOf(app.server)}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
