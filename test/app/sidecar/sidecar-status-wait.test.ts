// GET /recordings/:id?waitSeconds=N: a status read that the recorder holds until the recording is done or
// failed, or for N seconds at most (core/contract/status-wait.ts). The real sidecar app and recording
// controller; perf is the fixture's fake (no perf on this boundary).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { MAX_STATUS_WAIT_SECONDS } from '../../../core/contract/status-wait.ts';
import { auth, sidecarFixture } from './sidecar-fixture.ts';

describe('a status read that waits for the recording to end (fake perf)', () => {
  it('is held while the recording runs and answers done as soon as it ends', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const { app } = fixture;
    const { id } = (await fixture.start({ pid: 200, durationSeconds: 60 })).json<RecordingStatus>();
    let answered = false;
    const waiting = app.inject({ url: `/recordings/${id}?waitSeconds=20`, headers: auth }).then((reply) => {
      answered = true;
      return reply;
    });
    const plain = await app.inject({ url: `/recordings/${id}`, headers: auth });
    assert.equal(
      plain.json<RecordingStatus>().state,
      'recording',
      'a read that does not wait answers at once',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(answered, false, 'the waiting read is held while recording');

    await app.inject({ method: 'POST', url: `/recordings/${id}/stop`, headers: auth });
    const ended = await waiting;
    assert.equal(ended.statusCode, 200, ended.body);
    assert.equal(ended.json<RecordingStatus>().state, 'done');
    assert.ok(ended.json<RecordingStatus>().artifacts.includes('stacks.folded'));

    const again = await app.inject({ url: `/recordings/${id}?waitSeconds=20`, headers: auth });
    assert.equal(again.json<RecordingStatus>().state, 'done', 'an ended recording is answered at once');
  });

  it('answers the status as it is once the wait is over, the recording still running', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const { id } = (await fixture.start({ pid: 200, durationSeconds: 60 })).json<RecordingStatus>();
    const read = await fixture.app.inject({ url: `/recordings/${id}?waitSeconds=1`, headers: auth });
    assert.equal(read.statusCode, 200, read.body);
    assert.equal(read.json<RecordingStatus>().state, 'recording');
  });

  it('answers a failed recording when it fails, and 404 at once for a recording it does not have', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    fixture.perf.failWith = 'Error:\nno permission\n';
    const { id } = (await fixture.start({ pid: 200 })).json<RecordingStatus>();
    const read = await fixture.app.inject({ url: `/recordings/${id}?waitSeconds=20`, headers: auth });
    assert.equal(read.json<RecordingStatus>().state, 'failed');
    const unknown = await fixture.app.inject({ url: '/recordings/rec-99?waitSeconds=20', headers: auth });
    assert.equal(unknown.statusCode, 404);
  });

  it('refuses a wait that is not a whole number from 1 to the limit with a 400 naming the field and limit', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const { id } = (await fixture.start({ pid: 200, durationSeconds: 60 })).json<RecordingStatus>();
    for (const value of ['0', String(MAX_STATUS_WAIT_SECONDS + 1), '1.5', 'abc', '-1', '', '9'.repeat(13)]) {
      const read = await fixture.app.inject({
        url: `/recordings/${id}?waitSeconds=${encodeURIComponent(value)}`,
        headers: auth,
      });
      assert.equal(read.statusCode, 400, `waitSeconds=${value}: ${read.body}`);
      const body = read.json<{ code: string; message: string; details: { field: string } }>();
      assert.equal(body.details.field, 'waitSeconds', read.body);
      assert.match(body.message, /^waitSeconds /, read.body);
      if (value.length <= 12)
        assert.match(body.message, new RegExp(`between 1 and ${MAX_STATUS_WAIT_SECONDS}`));
    }
  });
});
