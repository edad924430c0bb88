import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { decodeFlameTree, readCompactTree } from '../../../core/render/flame-tree-compact.ts';
import { buildFlameTree, type FlameNode } from '../../../core/render/flame-tree.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';
import { recordingStatusSchema, type RecordingStatus } from '../../../core/contract/recording.ts';
import { PERF_ARTIFACTS } from '../../harness/recording-status.ts';
import { auth, sidecarFixture, UPLOAD_TOKEN } from './sidecar-fixture.ts';
import { MAX_ARTIFACT_WAITS } from '../../../sidecar/recording/artifact-waits.ts';

describe('sidecar recordings API', () => {
  it('answers a start with a key it has seen with the recording that key began, running or ended', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const { app } = fixture;
    const keyed = (key: string, payload: object) =>
      app.inject({
        method: 'POST',
        url: '/recordings',
        headers: { ...auth, 'idempotency-key': key },
        payload,
      });

    const first = await keyed('key-1', { pid: 200, durationSeconds: 60 });
    assert.equal(first.statusCode, 202, first.body);
    const { id } = first.json<RecordingStatus>();
    // The server resends the start through another replica: the same recording, no second perf.
    const again = await keyed('key-1', { pid: 200, durationSeconds: 60 });
    assert.equal(again.statusCode, 202, again.body);
    assert.equal(again.json<RecordingStatus>().id, id);
    assert.equal(fixture.perf.records.length, 1, 'perf was started once');
    const other = await keyed('key-2', { pid: 200 });
    assert.equal(other.statusCode, 409, 'another key still finds the recorder busy');

    await app.inject({ method: 'POST', url: `/recordings/${id}/stop`, headers: auth });
    await fixture.controller.settled();
    const late = await keyed('key-1', { pid: 200 });
    assert.equal(late.json<RecordingStatus>().id, id, 'an ended recording is still the answer to its key');
    assert.equal(fixture.perf.records.length, 1);
  });

  it('starts, refuses a second start with 409, stops early and serves every artifact', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const { app } = fixture;

    const started = await fixture.start({ pid: 200, durationSeconds: 60 });
    assert.equal(started.statusCode, 202);
    const status = started.json<RecordingStatus>();
    assert.equal(status.state, 'recording');
    assert.equal(status.stage, 'record');
    assert.deepEqual(status.targets, [{ pid: 200, comm: 'prog' }]);
    assert.equal(status.params.frequency, 99);
    const args = fixture.perf.records.length;
    assert.equal(args, 1);

    const second = await fixture.start({ pid: 200 });
    assert.equal(second.statusCode, 409);
    assert.equal(second.json<{ code: string }>().code, 'ERR_RECORDING_RUNNING');
    assert.match(second.json<{ message: string }>().message, new RegExp(status.id));

    const listed = await app.inject({ url: '/recordings', headers: auth });
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(
      listed.json<{ recordings: RecordingStatus[] }>().recordings.map((r) => r.id),
      [status.id],
    );

    const stopped = await app.inject({ method: 'POST', url: `/recordings/${status.id}/stop`, headers: auth });
    assert.equal(stopped.statusCode, 200);
    // The SIGINT goes once perf has written perf.data's first bytes (perf-runner.ts), a moment after the answer.
    await fixture.controller.settled();
    assert.deepEqual(fixture.perf.records[0]?.signals, ['SIGINT']);

    const done = await fixture.read(status.id);
    assert.equal(done.state, 'done', done.error);
    assert.equal(done.progress, 1);
    assert.equal(done.samples, 4);
    assert.deepEqual([...done.artifacts].sort(), PERF_ARTIFACTS);

    const folded = await app.inject({
      url: `/recordings/${status.id}/artifacts/stacks.folded`,
      headers: auth,
    });
    assert.equal(folded.statusCode, 200);
    assert.match(String(folded.headers['content-type']), /^text\/plain/);
    assert.match(folded.body, /^prog;main;furnace_heavy 3$/m);
    assert.match(folded.body, /^prog;main;furnace_light 1$/m);
    // The compact tree the UI reads holds the same frames and samples as the folded stacks.
    const tree = await app.inject({
      url: `/recordings/${status.id}/artifacts/flame-tree.bin.gz`,
      headers: auth,
    });
    assert.equal(tree.headers['content-type'], 'application/gzip');
    const shape = (node: FlameNode): unknown => [node.name, node.value, node.self, node.children.map(shape)];
    assert.deepEqual(
      shape(decodeFlameTree(readCompactTree(gunzipSync(tree.rawPayload)))),
      shape(buildFlameTree(parseFolded(folded.body))),
    );
    const svg = await app.inject({ url: `/recordings/${status.id}/artifacts/flamegraph.svg`, headers: auth });
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    assert.match(svg.body, /furnace_heavy/);
    const html = await app.inject({
      url: `/recordings/${status.id}/artifacts/flamegraph.html`,
      headers: auth,
    });
    assert.match(String(html.headers['content-type']), /^text\/html/);
    const speedscope = await app.inject({
      url: `/recordings/${status.id}/artifacts/speedscope.json`,
      headers: auth,
    });
    assert.match(JSON.stringify(speedscope.json()), /furnace_light/);
    const data = await app.inject({ url: `/recordings/${status.id}/artifacts/perf.data`, headers: auth });
    assert.equal(data.headers['content-type'], 'application/octet-stream');
    assert.equal(data.body, 'PERFILE2');

    const again = await app.inject({ method: 'POST', url: `/recordings/${status.id}/stop`, headers: auth });
    assert.equal(again.statusCode, 200, 'stopping a finished recording is a no-op');
    const next = await fixture.start({ processPattern: 'prog' });
    assert.equal(next.statusCode, 202, 'a new recording may start once the last one is done');
  });

  it('answers a read with ?wait=true once the recording has written the artifact, not before', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const { app } = fixture;
    const { id } = (await fixture.start({ pid: 200, durationSeconds: 60 })).json<RecordingStatus>();
    const url = `/recordings/${id}/artifacts/flame-tree.bin.gz`;
    let answered = false;
    const waiting = app.inject({ url: `${url}?wait=true`, headers: auth }).then((reply) => {
      answered = true;
      return reply;
    });
    const plain = await app.inject({ url, headers: auth });
    assert.equal(plain.statusCode, 404, 'a read that does not wait says the tree is not there yet');
    assert.equal(answered, false, 'the waiting read is held while recording');

    await app.inject({ method: 'POST', url: `/recordings/${id}/stop`, headers: auth });
    const tree = await waiting;
    assert.equal(tree.statusCode, 200, tree.body);
    assert.equal(tree.headers['content-type'], 'application/gzip');
    assert.equal(decodeFlameTree(readCompactTree(gunzipSync(tree.rawPayload))).value, 4);
    await fixture.controller.settled();
    const now = await app.inject({ url: `${url}?wait=true`, headers: auth });
    assert.equal(now.statusCode, 200, 'a tree already written is answered at once');
    const wrong = await app.inject({ url: `${url}?wait=yes`, headers: auth });
    assert.equal(wrong.statusCode, 400);
  });

  it('holds at most MAX_ARTIFACT_WAITS reads at once; one more is answered at once, as without waiting', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const { app } = fixture;
    const { id } = (await fixture.start({ pid: 200, durationSeconds: 60 })).json<RecordingStatus>();
    const url = `/recordings/${id}/artifacts/flame-tree.bin.gz?wait=true`;
    let answered = 0;
    const held = Array.from({ length: MAX_ARTIFACT_WAITS }, () =>
      app.inject({ url, headers: auth }).then((reply) => {
        answered++;
        return reply;
      }),
    );
    const extra = await app.inject({ url, headers: auth });
    assert.equal(extra.statusCode, 404, 'the read beyond the limit says the tree is not there yet');
    assert.equal(answered, 0, `the first ${MAX_ARTIFACT_WAITS} reads are still held`);

    await app.inject({ method: 'POST', url: `/recordings/${id}/stop`, headers: auth });
    const replies = await Promise.all(held);
    assert.deepEqual(new Set(replies.map((reply) => reply.statusCode)), new Set([200]));
  });

  it('ends a waiting read with 404 when the recording fails without the artifact', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    fixture.perf.failWith = 'Error:\nno permission\n';
    const { id } = (await fixture.start({ pid: 200 })).json<RecordingStatus>();
    const read = await fixture.app.inject({
      url: `/recordings/${id}/artifacts/flame-tree.bin.gz?wait=true`,
      headers: auth,
    });
    assert.equal(read.statusCode, 404);
    assert.equal((await fixture.read(id)).state, 'failed');
  });

  it("ends in failed with perf's own words when perf fails for a cause it does not know", async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    fixture.perf.failWith = 'Error:\nperf: something this sidecar has never seen (Bad things)\n';
    const started = await fixture.start({ pid: 200 });
    const { id } = started.json<RecordingStatus>();
    await fixture.controller.settled();
    const failed = await fixture.read(id);
    assert.equal(failed.state, 'failed');
    assert.match(
      failed.error ?? '',
      /^perf record failed \(exit 255\): Error:\nperf: something .*\(Bad things\)$/,
    );
    const artifact = await fixture.app.inject({
      url: `/recordings/${id}/artifacts/flamegraph.svg`,
      headers: auth,
    });
    assert.equal(artifact.statusCode, 404);
    assert.equal(artifact.json<{ code: string }>().code, 'ERR_NOT_FOUND');
  });

  it('uploads metadata, then each artifact, with the upload token (never the proxy token)', async (t) => {
    const fixture = await sidecarFixture({
      FURNACE_SERVER_URL: 'http://127.0.0.1:9/',
      FURNACE_REGISTRATION_SECRET: 's',
      FURNACE_POD_NAME: 'laptop',
      FURNACE_POD_NAMESPACE: 'local',
    });
    t.after(() => fixture.close());
    // At 1 Hz the fake perf's 4 samples are a busy process, so nothing is diagnosed (no warnings).
    const started = await fixture.start({ pid: 200, frequency: 1 });
    const { id } = started.json<RecordingStatus>();
    fixture.controller.stop(id);
    await fixture.controller.settled();
    const [meta, ...artifacts] = fixture.uploads;
    assert.equal(meta?.method, 'PUT');
    assert.equal(meta?.url, `http://127.0.0.1:9/api/v1/recordings/${id}`);
    assert.equal(meta?.headers?.authorization, `Bearer ${UPLOAD_TOKEN}`);
    const body = JSON.parse((meta?.body as Buffer).toString()) as Record<string, unknown>;
    // The server knows the pod from the token: the upload is a plain status that its schema accepts.
    assert.deepEqual(
      Object.keys(body).filter((key) => !(key in recordingStatusSchema.properties)),
      [],
    );
    assert.equal(body.namespace, undefined);
    assert.equal(body.state, 'done');
    for (const artifact of artifacts) assert.equal(artifact.headers?.authorization, `Bearer ${UPLOAD_TOKEN}`);
    assert.deepEqual(artifacts.map((a) => a.url.split('/').at(-1)).sort(), PERF_ARTIFACTS);
    const folded = artifacts.find((a) => a.url.endsWith('/artifacts/stacks.folded'));
    assert.equal(folded?.headers?.['content-type'], 'text/plain; charset=utf-8');
    assert.match((folded?.body as Buffer).toString(), /main;furnace_heavy 3/);
    const done = fixture.controller.get(id);
    assert.equal(done.state, 'done');
    assert.equal(done.warnings, undefined);
  });

  it('sends the metadata of a failed recording to the catalog, without artifacts', async (t) => {
    const fixture = await sidecarFixture({
      FURNACE_SERVER_URL: 'http://127.0.0.1:9',
      FURNACE_REGISTRATION_SECRET: 's',
    });
    t.after(() => fixture.close());
    fixture.perf.failWith = 'perf: event not supported\n';
    const started = await fixture.start({ pid: 200 });
    const { id } = started.json<RecordingStatus>();
    await fixture.controller.settled();
    assert.deepEqual(
      fixture.uploads.map((u) => u.url),
      [`http://127.0.0.1:9/api/v1/recordings/${id}`],
    );
    const body = JSON.parse((fixture.uploads[0]?.body as Buffer).toString()) as RecordingStatus;
    assert.equal(body.state, 'failed');
    // A known cause is said in one sentence with what to do (perf's words go to the sidecar's log).
    assert.match(body.error ?? '', /^the event cpu-clock is not available on this machine/);
    assert.deepEqual(body.artifacts, []);
  });

  it('keeps only the newest recordings on local disk', async (t) => {
    const fixture = await sidecarFixture({ FURNACE_KEEP_RECORDINGS: '1' });
    t.after(() => fixture.close());
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const started = await fixture.start({ pid: 200 });
      const { id } = started.json<RecordingStatus>();
      ids.push(id);
      fixture.controller.stop(id);
      await fixture.controller.settled();
    }
    const listed = await fixture.app.inject({ url: '/recordings', headers: auth });
    assert.deepEqual(
      listed.json<{ recordings: RecordingStatus[] }>().recordings.map((r) => r.id),
      [ids[1]],
    );
    const gone = await fixture.app.inject({
      url: `/recordings/${ids[0]}/artifacts/stacks.folded`,
      headers: auth,
    });
    assert.equal(gone.statusCode, 404);
  });

  it('answers 404 for unknown recordings and routes', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    for (const url of ['/recordings/nope', '/recordings/nope/artifacts/perf.data', '/nothing-here']) {
      const response = await fixture.app.inject({ url, headers: auth });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.json<{ code: string }>().code, 'ERR_NOT_FOUND');
    }
    const stop = await fixture.app.inject({ method: 'POST', url: '/recordings/nope/stop', headers: auth });
    assert.equal(stop.statusCode, 404);
  });
});
