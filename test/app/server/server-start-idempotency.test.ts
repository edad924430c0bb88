// A start retried with the same Idempotency-Key (its first answer was lost) is answered with the recording
// the first attempt started, not "pod already runs recording X", and nothing more reaches the recorder;
// a malformed key is refused naming the header. One replica here (the key in its memory); with several,
// the key is on the pod's start slot (test/kube/start-slots.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runStartKey } from '../../../operator/recording/reconcile.ts';
import { REPLAYED_HEADER, startKeyOf } from '../../../server/proxy/start-key.ts';
import { eventually } from '../../harness/eventually.ts';
import { buildFixture, startFakeSidecar } from './server-fixture.ts';

describe('a start retried with the same Idempotency-Key', () => {
  it('answers the recording the first attempt started, and forwards only that first attempt', async (t) => {
    const f = await buildFixture(t);
    const sidecar = await startFakeSidecar(t);
    f.registry.register({
      namespace: 'team-a',
      pod: 'web-0',
      address: { host: '127.0.0.1', port: sidecar.port },
    });
    const start = (key?: string) =>
      f.app.inject({
        method: 'POST',
        url: '/proxy/team-a/web-0/recordings',
        payload: { durationSeconds: 30 },
        ...(key ? { headers: { 'idempotency-key': key } } : {}),
      });
    const first = await start('click-7f3a');
    assert.equal(first.statusCode, 201, first.body);
    const { id } = first.json<{ id: string }>();
    const again = await eventually(
      async () => {
        const answer = await start('click-7f3a');
        return answer.statusCode === 201 ? answer : undefined;
      },
      5000,
      'the replayed start',
    );
    assert.equal(again.headers[REPLAYED_HEADER], 'true');
    assert.equal(again.json<{ id: string }>().id, id, 'the same recording');
    const posts = sidecar.requests.filter((r) => r.method === 'POST');
    assert.equal(posts.length, 1, 'the retry did not reach the recorder');

    const other = await start('click-other');
    assert.equal(other.headers[REPLAYED_HEADER], undefined, 'another key is a new start');

    const bad = await start('has spaces and ünïcode');
    assert.equal(bad.statusCode, 400);
    assert.match(
      bad.json<{ message: string }>().message,
      /header Idempotency-Key must be 1 to 128 characters/,
    );
  });

  it("keeps one user's key from answering another's start", () => {
    assert.notEqual(startKeyOf('k-1', 'alice'), startKeyOf('k-1', 'bob'));
    assert.equal(startKeyOf('k-1', 'alice'), startKeyOf('k-1', 'alice'));
    assert.equal(startKeyOf(undefined, 'alice'), undefined);
    assert.throws(() => startKeyOf('x'.repeat(129), 'alice'), /1 to 128 characters/);
  });

  it('gives the operator one key per run and pod, the same for every attempt', () => {
    const recording = {
      metadata: { name: 'r', namespace: 'shop', uid: '5b0e0c7e-8a55-4f0e-9a43-0d1d2e0f3a11' },
      spec: { target: { pod: 'web-0' }, durationSeconds: 10 },
    };
    const key = runStartKey(recording, '2026-03-01T12:00:00Z', 'web-0');
    assert.equal(runStartKey(recording, '2026-03-01T12:00:00Z', 'web-0'), key, 'a retry of the same run');
    assert.notEqual(runStartKey(recording, '2026-03-01T13:00:00Z', 'web-0'), key, 'the next scheduled run');
    assert.notEqual(runStartKey(recording, '2026-03-01T12:00:00Z', 'web-1'), key, 'another pod');
    assert.doesNotThrow(() => startKeyOf(key, 'system:serviceaccount:furnace:furnace-operator'));
  });
});
