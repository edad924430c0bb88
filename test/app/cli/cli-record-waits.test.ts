// `furnace record` learns a recording's end from a status read that waits on the recorder: the CLI through
// --server (the same aggregated paths `kubectl furnace` sends through the API server) → the real server's
// user listener and proxy → the real sidecar app and recording controller (perf is the fixture's fake).
// Against a FAKE recorder from before the wait (it ignores the parameter and answers at once) the CLI still
// records, polling about once a second as it did.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { run as runRecord } from '../../../cli/record.ts';
import { runCli } from '../../harness/cli.ts';
import { portOf } from '../../harness/ports.ts';
import { recordingStatus } from '../../harness/recording-status.ts';
import { tempDir } from '../../harness/temp-dirs.ts';
import { sidecarFixture } from '../sidecar/sidecar-fixture.ts';
import { buildFixture, HOST } from '../server/server-fixture.ts';

/** The paths of the status reads a recorder was asked (GET /recordings/<id>, with their query). */
function statusReadsOf(app: FastifyInstance): string[] {
  const reads: string[] = [];
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.method === 'GET' && /^\/recordings\/[^/]+(\?|$)/.test(request.url)) reads.push(request.url);
    done();
  });
  return reads;
}

/** The server's user listener on loopback with `recorderPort` registered as the local pod's recorder. */
async function serverFor(t: TestContext, recorderPort: number) {
  const f = await buildFixture(t);
  const tokens = await f.registerLocal(recorderPort);
  await f.app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `http://127.0.0.1:${portOf(f.app.server)}`, tokens };
}

describe('furnace record follows the recording with reads that wait', () => {
  it('gets the end from a waiting read through the real server and sidecar, and writes the graph', async (t) => {
    const sidecar = await sidecarFixture();
    t.after(() => sidecar.close());
    const reads = statusReadsOf(sidecar.app);
    await sidecar.app.listen({ host: '127.0.0.1', port: 0 });
    const server = await serverFor(t, portOf(sidecar.app.server));
    sidecar.acceptTokens(server.tokens);
    const out = join(await tempDir(t, 'cli-record-waits-'), 'out');
    const argv = [HOST, '-n', 'local', '--pid', '200', '-d', '1s', '--server', server.url, '-o', out];
    const result = await runCli(runRecord, argv);
    assert.equal(result.code, 0, result.stderr);
    assert.match(await readFile(join(out, 'stacks.folded'), 'utf8'), /furnace_heavy 3/);
    assert.match(result.stderr, /rec-1 done, 4 samples/);
    assert.ok(reads.length >= 1 && reads.length <= 2, `one read held until the end: ${reads.join(', ')}`);
    for (const read of reads) assert.match(read, /^\/recordings\/rec-1\?waitSeconds=[1-9]\d*$/);
  });

  it('polls a FAKE recorder from before the wait about once a second, and records', async (t) => {
    const old = Fastify();
    t.after(() => old.close());
    let startedAt = 0;
    const params = { ...recordingStatus('rec-old').params, durationSeconds: 1 };
    const running = { ...recordingStatus('rec-old'), params };
    old.post('/recordings', (_request, reply) => {
      startedAt = Date.now();
      return reply.code(202).send(running);
    });
    // No query schema: the waitSeconds parameter is ignored and the status answered at once; done 1.5 s in.
    old.get('/recordings/rec-old', () =>
      Date.now() - startedAt < 1500
        ? running
        : {
            ...running,
            state: 'done',
            progress: 1,
            stage: undefined,
            artifacts: ['stacks.folded'],
            samples: 2,
          },
    );
    old.get('/recordings/rec-old/artifacts/stacks.folded', (_request, reply) =>
      reply.type('text/plain; charset=utf-8').send('main;furnace_heavy 2\n'),
    );
    const reads = statusReadsOf(old);
    await old.listen({ host: '127.0.0.1', port: 0 });
    const server = await serverFor(t, portOf(old.server));
    const out = join(await tempDir(t, 'cli-record-old-'), 'out');
    const argv = [HOST, '-n', 'local', '-d', '1s', '--server', server.url, '-o', out];
    const result = await runCli(runRecord, argv);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await readFile(join(out, 'stacks.folded'), 'utf8'), 'main;furnace_heavy 2\n');
    // About one read a second (at 0, 1 and 2 s): each that found it recording was followed by the rest of a
    // second, not at once by the next (a read that came back at once is topped up to the poll's period).
    assert.ok(reads.length >= 2 && reads.length <= 4, `${reads.length} reads: ${reads.join(', ')}`);
  });
});
