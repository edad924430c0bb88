// `furnace record` never exits 0 with an empty or cut profile. The CLI through --server → the real server's
// user listener and proxy → a FAKE recorder that answers as a read racing a rewrite of the file would: the
// status says done with samples and lists stacks.folded, but the file's bytes are not (all) there when it is
// read — an answer of 0 bytes, or one cut before the size it announced.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import Fastify from 'fastify';
import { run as runRecord } from '../../../cli/record.ts';
import { runCli } from '../../harness/cli.ts';
import { portOf } from '../../harness/ports.ts';
import { recordingStatus } from '../../harness/recording-status.ts';
import { tempDir } from '../../harness/temp-dirs.ts';
import { buildFixture, HOST } from '../server/server-fixture.ts';

const FOLDED = 'main;work;furnace_heavy 90\nmain;work;furnace_light 30\n';

/** A FAKE recorder whose recording is done at once with 120 samples; `folded` answers its stacks.folded. */
async function racingRecorder(t: TestContext, folded: 'empty' | 'cut') {
  const app = Fastify();
  t.after(() => app.close());
  const params = { ...recordingStatus('rec-race').params, durationSeconds: 1 };
  const running = { ...recordingStatus('rec-race'), params };
  const done = {
    ...running,
    ...{ state: 'done', progress: 1, stage: undefined, samples: 120 },
    artifacts: ['stacks.folded'],
  };
  app.post('/recordings', (_request, reply) => reply.code(202).send(running));
  app.get('/recordings/rec-race', () => done);
  app.get('/recordings/rec-race/artifacts/stacks.folded', (_request, reply) => {
    const raw = reply.hijack().raw;
    if (folded === 'empty') {
      // Listed, then read while the file was truncated for its rewrite: a 200 of nothing.
      raw.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': '0' }).end();
      return;
    }
    // Its size announced, then the connection lost part-way.
    const body = Buffer.from(FOLDED.repeat(2000));
    raw.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
    raw.write(body.subarray(0, 70_000), () => raw.destroy());
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const f = await buildFixture(t);
  await f.registerLocal(portOf(app.server));
  await f.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${portOf(f.app.server)}`;
}

async function recordFrom(t: TestContext, server: string) {
  const out = join(await tempDir(t, 'cli-record-race-'), 'out');
  const result = await runCli(runRecord, [HOST, '-n', 'local', '-d', '1s', '--server', server, '-o', out]);
  const written = existsSync(out) ? await readdir(out) : [];
  return { ...result, written };
}

describe('furnace record refuses a profile that did not arrive whole', () => {
  it('exits 1 naming the recording, the file and "0 bytes" when a FAKE recorder answers stacks.folded empty', async (t) => {
    const result = await recordFrom(t, await racingRecorder(t, 'empty'));
    assert.equal(result.code, 1, result.stderr);
    const refusal = result.stderr.split('\n').find((line) => line.includes('stacks.folded'));
    assert.ok(refusal, result.stderr);
    assert.match(refusal, /rec-race/);
    assert.match(refusal, /0 bytes/);
    assert.match(refusal, /120 samples/);
    assert.match(refusal, /furnace download rec-race -n local/, 'says what to try');
    assert.deepEqual(result.written, [], 'no empty stacks.folded is left for a script to read');
    assert.doesNotMatch(result.stderr, /rec-race done/);
  });

  it('exits 1 naming the bytes it got and the size announced when a FAKE recorder’s answer is cut', async (t) => {
    const result = await recordFrom(t, await racingRecorder(t, 'cut'));
    assert.equal(result.code, 1, result.stderr);
    // How much gets through before the cut depends on the proxy's writes: anything short of the whole.
    assert.match(
      result.stderr,
      /^furnace record: recording rec-race: stacks\.folded arrived cut short \((\d+) bytes, expected 108000\b.*it was not written: try the catalog's copy/m,
    );
    assert.deepEqual(result.written, []);
  });
});
