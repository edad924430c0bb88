// Who started a recording: the catalog keeps the user the server saw start it through its proxy, never
// a name an upload carries, and keeps it across a restart.
// The suite runs on each artifact store (test/harness/catalog-stores.ts).
import type { StoreUnderTest } from '../harness/catalog-stores.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openCatalog } from '../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../server/catalog/retention.ts';
import { fakeKubeGateway } from '../harness/fake-kube-gateway.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import {
  buildFixture,
  registerSidecar,
  startFakeSidecar,
  type Fixture,
} from '../app/server/server-fixture.ts';

type Entry = { id: string; startedBy?: string };

/** PUTs the final status of `id` as the sidecar would, plus a `startedBy` the sidecar has no say in. */
async function uploadFinished(f: Fixture, token: string, id: string, extra: object = {}) {
  const response = await f.recorder.inject({
    method: 'PUT',
    url: `/api/v1/recordings/${id}`,
    headers: { authorization: `Bearer ${token}` },
    payload: { ...finishedRecordingStatus(id), ...extra },
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json<Entry>();
}

async function startAs(f: Fixture, headers: Record<string, string>): Promise<string> {
  const started = await f.app.inject({
    method: 'POST',
    url: '/proxy/local/test-host/recordings',
    headers,
    payload: {},
  });
  assert.equal(started.statusCode, 201, started.body);
  return started.json<{ id: string }>().id;
}

export function catalogStartedBySuite(store: StoreUnderTest): void {
  describe(`catalog: who started a recording (${store.name} store)`, () => {
    it('is the user who started it through the proxy, whatever the upload claims, and survives a reload', async (t) => {
      const f = await buildFixture(t, {
        store,
        authMode: 'proxy',
        kube: fakeKubeGateway(),
        registration: 'local',
      });
      const sidecar = await startFakeSidecar(t);
      const { uploadToken } = await f.registerLocal(sidecar.port);
      const id = await startAs(f, { 'x-forwarded-user': 'bob' });

      const stored = await uploadFinished(f, uploadToken, id, { startedBy: 'mallory' });
      assert.equal(stored.startedBy, 'bob');
      const again = await uploadFinished(f, uploadToken, id, { startedBy: 'mallory' });
      assert.equal(again.startedBy, 'bob', 'a second upload keeps the starter');

      const bob = { 'x-forwarded-user': 'bob' };
      const read = await f.app.inject({ method: 'GET', url: `/api/v1/recordings/${id}`, headers: bob });
      assert.equal(read.json<Entry>().startedBy, 'bob');
      const list = await f.app.inject({ method: 'GET', url: '/api/v1/recordings', headers: bob });
      assert.deepEqual(
        list.json<{ items: Entry[] }>().items.map((e) => [e.id, e.startedBy]),
        [[id, 'bob']],
      );

      await f.catalog.drain();
      const reopened = await openCatalog({
        dataDir: f.dataDir,
        artifacts: f.artifacts,
        now: Date.now,
        retention: DEFAULT_RETENTION,
      });
      assert.equal(reopened.get(id)?.startedBy, 'bob', 'kept in recording.json');
    });

    it('is `anonymous` in auth mode none, and unknown for a recording this server did not start', async (t) => {
      const f = await buildFixture(t, { store });
      const sidecar = await startFakeSidecar(t);
      const { uploadToken } = await f.registerLocal(sidecar.port);
      const id = await startAs(f, {});
      assert.equal((await uploadFinished(f, uploadToken, id)).startedBy, 'anonymous');
      const unseen = await uploadFinished(f, uploadToken, 'rec-unseen', { startedBy: 'mallory' });
      assert.equal(unseen.startedBy, undefined);
    });

    it('names who stopped it early through the proxy in why it ended, never a name the upload gives', async (t) => {
      const f = await buildFixture(t, {
        store,
        authMode: 'proxy',
        kube: fakeKubeGateway(),
        registration: 'local',
      });
      const sidecar = await startFakeSidecar(t);
      const { uploadToken } = await f.registerLocal(sidecar.port);
      const id = await startAs(f, { 'x-forwarded-user': 'bob' });
      const stop = await f.app.inject({
        method: 'POST',
        url: `/proxy/local/test-host/recordings/${id}/stop`,
        headers: { 'x-forwarded-user': 'carol' },
        payload: {},
      });
      assert.ok(stop.statusCode < 300, stop.body);
      const stored = await uploadFinished(f, uploadToken, id, { endReason: 'stopped on request after 12 s' });
      assert.equal((stored as { endReason?: string }).endReason, 'stopped by carol after 12 s');
      const other = await startAs(f, { 'x-forwarded-user': 'bob' });
      const claimed = await uploadFinished(f, uploadToken, other, {
        endReason: 'stopped by mallory after 1 s',
      });
      assert.equal(
        (claimed as { endReason?: string }).endReason,
        'stopped by mallory after 1 s',
        'a sidecar’s own words stay its own',
      );
      const timed = await uploadFinished(f, uploadToken, other, {
        endReason: 'stopped on request after 2 s',
      });
      assert.equal(
        (timed as { endReason?: string }).endReason,
        'stopped on request after 2 s',
        'nobody stopped it here',
      );
    });

    it("is not given to another pod's upload that reuses the id", async (t) => {
      const f = await buildFixture(t, { store });
      const sidecar = await startFakeSidecar(t);
      await f.registerLocal(sidecar.port);
      const id = await startAs(f, {});
      const other = registerSidecar(f, 'local', 'other', 1);
      assert.equal((await uploadFinished(f, other.uploadToken, id)).startedBy, undefined);
    });
  });
}
