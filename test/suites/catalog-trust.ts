// Uploaded metadata from a hostile sidecar: it cannot sort first, evict other namespaces' recordings, stay
// unfinished forever, or grow the catalog without bound.
// The suite runs on each artifact store (test/harness/catalog-stores.ts).
import type { StoreUnderTest } from '../harness/catalog-stores.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { finishedRecordingStatus, recordingStatus } from '../harness/recording-status.ts';
import { buildFixture, type Fixture } from '../app/server/server-fixture.ts';
import { MAX_KEPT_TARGETS } from '../../server/catalog/catalog-entry.ts';

const FAR_FUTURE = '2999-01-01T00:00:00.000Z';

function sidecarIn(f: Fixture, namespace: string, pod: string) {
  const { uploadToken } = f.registry.register({ namespace, pod, address: { host: '127.0.0.1', port: 1 } });
  const headers = { authorization: `Bearer ${uploadToken}` };
  return {
    put: (status: RecordingStatus) =>
      f.recorder.inject({ method: 'PUT', url: `/api/v1/recordings/${status.id}`, headers, payload: status }),
    upload: (id: string, body = '<svg/>') =>
      f.recorder.inject({
        method: 'PUT',
        url: `/api/v1/recordings/${id}/artifacts/flamegraph.svg`,
        headers: { ...headers, 'content-type': 'image/svg+xml' },
        payload: body,
      }),
  };
}

async function ids(f: Fixture, namespace: string): Promise<string[]> {
  const page = await f.app.inject({ method: 'GET', url: `/api/v1/recordings?namespace=${namespace}` });
  return page.json<{ items: { id: string }[] }>().items.map((item) => item.id);
}

/** A recording that claims to run until the year 2999 and carries as much text as the schema allows. */
function hostile(id: string): RecordingStatus {
  return recordingStatus(id, {
    startedAt: FAR_FUTURE,
    error: 'x'.repeat(16_384),
    targets: Array.from({ length: 1000 }, (_, i) => ({ pid: i + 1, comm: 'c'.repeat(256) })),
  });
}

export function catalogTrustSuite(store: StoreUnderTest): void {
  describe(`catalog metadata from a hostile sidecar (${store.name} store)`, () => {
    it("cannot make retention delete another namespace's recordings with far-future unfinished entries", async (t) => {
      const f = await buildFixture(t, { store, retention: { maxCount: 4, namespaceMaxCount: 3 } });
      const attacker = sidecarIn(f, 'team-a', 'evil');
      const victim = sidecarIn(f, 'team-b', 'web');
      for (const id of ['b-1', 'b-2']) {
        assert.equal((await victim.put(finishedRecordingStatus(id))).statusCode, 200);
        assert.equal((await victim.upload(id)).statusCode, 201);
      }
      for (const id of ['a-1', 'a-2', 'a-3']) await attacker.put(hostile(id));
      assert.equal((await victim.upload('b-2', '<svg>again</svg>')).statusCode, 201, 'retention runs');
      await f.catalog.applyRetention();
      assert.deepEqual((await ids(f, 'team-b')).sort(), ['b-1', 'b-2']);
      const now = Date.parse('2026-03-01T12:00:00Z');
      for (const entry of f.catalog.list({ namespace: 'team-a' }))
        assert.ok(Date.parse(entry.startedAt) <= now, `startedAt ${entry.startedAt} is not in the future`);
    });

    it('keeps a few hundred hostile uploads to the namespace quota, refusing the rest with 507', async (t) => {
      const f = await buildFixture(t, { store });
      const attacker = sidecarIn(f, 'team-a', 'evil');
      const statuses: number[] = [];
      for (let i = 0; i < 300; i++) statuses.push((await attacker.put(hostile(`flood-${i}`))).statusCode);
      const kept = f.catalog.list({ namespace: 'team-a' }).length;
      assert.equal(kept, 100, 'retention.namespaceMaxCount (100 by default) bounds what is kept');
      assert.equal(statuses.filter((s) => s === 507).length, 200);
      const targets = f.catalog.get('flood-0')?.targets ?? [];
      assert.equal(targets.length, MAX_KEPT_TARGETS, 'the first processes of a thousand are kept');
      assert.ok(
        targets.every((target) => target.comm.length <= 64),
        'and their names are cut short',
      );
    });

    it('fails an entry left unfinished past its duration and a grace, which retention may then remove', async (t) => {
      const f = await buildFixture(t, { store });
      const sidecar = sidecarIn(f, 'team-a', 'web');
      await sidecar.put(
        recordingStatus('stuck', { params: { ...recordingStatus('x').params, durationSeconds: 5 } }),
      );
      f.advance(5 + 900 + 1);
      await f.catalog.applyRetention();
      const read = await f.app.inject({ method: 'GET', url: '/api/v1/recordings/stuck' });
      const entry = read.json<{ state: string; error: string }>();
      assert.equal(entry.state, 'failed');
      assert.match(entry.error, /no end within 5 s/);
    });

    it('refuses a finished recording going back to recording, and artifacts before the final status', async (t) => {
      const f = await buildFixture(t, { store });
      const sidecar = sidecarIn(f, 'team-a', 'web');
      assert.equal((await sidecar.put(finishedRecordingStatus('rec-1'))).statusCode, 200);
      const back = await sidecar.put(recordingStatus('rec-1'));
      assert.equal(back.statusCode, 400);
      assert.match(back.json<{ message: string }>().message, /finished recording stays finished/);
      assert.equal(f.catalog.get('rec-1')?.state, 'done');
      await sidecar.put(recordingStatus('rec-2'));
      const early = await sidecar.upload('rec-2');
      assert.equal(early.statusCode, 400);
      assert.match(early.json<{ message: string }>().message, /final status before its artifacts/);
    });

    it('refuses times that are not RFC 3339, and brings a late endedAt back to the time of upload', async (t) => {
      const f = await buildFixture(t, { store });
      const sidecar = sidecarIn(f, 'team-a', 'web');
      assert.equal((await sidecar.put(recordingStatus('rec-1', { startedAt: 'tomorrow' }))).statusCode, 400);
      const late = await sidecar.put(finishedRecordingStatus('rec-2', { endedAt: FAR_FUTURE }));
      assert.equal(late.json<{ endedAt: string }>().endedAt, '2026-03-01T12:00:00.000Z');
    });

    it('refuses new recordings at the whole catalog ceiling without evicting another namespace', async (t) => {
      const f = await buildFixture(t, { store, retention: { maxCount: 2, namespaceMaxCount: 2 } });
      const a = sidecarIn(f, 'team-a', 'web');
      const b = sidecarIn(f, 'team-b', 'web');
      assert.equal((await b.put(finishedRecordingStatus('b-1'))).statusCode, 200);
      assert.equal((await a.put(finishedRecordingStatus('a-1'))).statusCode, 200);
      const refused = await a.put(finishedRecordingStatus('a-2'));
      assert.equal(refused.statusCode, 507);
      assert.equal(refused.json<{ code: string }>().code, 'ERR_QUOTA_EXCEEDED');
      assert.deepEqual(await ids(f, 'team-b'), ['b-1']);
    });
  });
}
