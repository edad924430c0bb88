// The shared records' store and watch (server/replicas/lease-store.ts) on the real API server, through
// the one plain-JSON Lease client: a record written is read back whole and seen by a watch; a second
// create and a replace over a version another replica has overwritten are conflicts (LeaseConflict), not
// errors; a delete at an old version leaves the Lease; every write counts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlimWatch } from '../../kube/slim-watch.ts';
import { createKubeRequest } from '../../kube/kube-request.ts';
import { createLeaseClient } from '../../kube/leases/lease-client.ts';
import type { SharedRecord } from '../../server/replicas/lease-records.ts';
import { createLeaseStore, LeaseConflict, watchLeases } from '../../server/replicas/lease-store.ts';
import { createNamespace, useCluster } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';

const { kc } = await useCluster();
/** Polls `condition` (for eventually). */
const until = (condition: () => boolean) => () => Promise.resolve(condition() ? true : undefined);
const request = createKubeRequest(kc);

function sidecarRecord(name: string, holder: string, renewedAt: number): SharedRecord {
  return {
    ...{ name, kind: 'sidecar', holder, acquiredAt: Date.UTC(2026, 0, 1, 12, 0, 0, 250), renewedAt },
    data: { namespace: 'team-a', pod: name, port: 12380 },
    durationSeconds: 120,
  };
}

describe('the shared records store on the API server', () => {
  it('creates, reads, replaces at the version read and deletes; a stale write is a conflict', async () => {
    const namespace = await createNamespace(kc, { prefix: 'furnace' });
    const a = createLeaseStore(createLeaseClient(request, namespace));
    const b = createLeaseStore(createLeaseClient(request, namespace));
    const written = await a.create(sidecarRecord('furnace-sidecar-web', 'replica-a', Date.now()));
    assert.ok(written.resourceVersion, 'the API server’s version comes back');
    assert.deepEqual(await b.read(written.name), written);
    await assert.rejects(b.create(sidecarRecord(written.name, 'replica-b', Date.now())), LeaseConflict);

    const byB = await b.replace({ ...written, holder: 'replica-b', renewedAt: written.renewedAt + 1000 });
    assert.equal(byB.holder, 'replica-b');
    assert.equal(byB.renewedAt, written.renewedAt + 1000, 'millisecond times survive the MicroTime');
    await assert.rejects(a.replace({ ...written, renewedAt: written.renewedAt + 2000 }), LeaseConflict);
    await a.remove(written.name, written.resourceVersion);
    assert.equal((await a.read(written.name))?.holder, 'replica-b', 'a delete at an old version leaves it');

    await b.remove(written.name, byB.resourceVersion);
    assert.equal(await a.read(written.name), undefined);
    // The API server creates a Lease on a replace of a deleted one (Leases allow create on update), even
    // at an old version: the record is written again, as kube/leases/lease-client.ts says.
    const again = await a.replace(byB);
    assert.deepEqual(await b.read(written.name), again);
    await a.remove(written.name);
    assert.equal(await b.read(written.name), undefined);
    assert.deepEqual([a.writes(), b.writes()], [5, 3]);
  });

  it('lets a watch see records listed (page by page), added, changed and deleted, and no other Leases', async () => {
    const namespace = await createNamespace(kc, { prefix: 'furnace' });
    const store = createLeaseStore(createLeaseClient(request, namespace));
    const before = await store.create(sidecarRecord('furnace-sidecar-listed', 'replica-a', Date.now()));
    const second = await store.create(sidecarRecord('furnace-sidecar-second', 'replica-a', Date.now()));
    await createLeaseClient(request, namespace).create({
      ...{ name: 'furnace-leader', holder: 'replica-a', durationSeconds: 15, transitions: 0 },
      ...{ labels: {}, annotations: {} },
    });
    const seen = new Map<string, SharedRecord>();
    const gone: string[] = [];
    const watch = watchLeases({
      ...{ request, makeWatch: (slim) => new SlimWatch(kc, slim), namespace, kinds: ['sidecar'] },
      onRecord: (record) => seen.set(record.name, record),
      onGone: (record) => gone.push(record.name),
      log: { warn: () => undefined },
      pageSize: 1,
    });
    try {
      await eventually(
        until(() => watch.isSynced()),
        10_000,
        'the first list',
      );
      assert.deepEqual(seen.get(before.name), before, 'listed');
      assert.deepEqual(seen.get(second.name), second, 'listed on the next page');
      const added = await store.create(sidecarRecord('furnace-sidecar-added', 'replica-b', Date.now()));
      const changed = await store.replace({ ...before, holder: 'replica-b' });
      await eventually(
        until(() => seen.get(added.name)?.resourceVersion === added.resourceVersion),
        10_000,
        'the added record',
      );
      await eventually(
        until(() => seen.get(before.name)?.holder === 'replica-b'),
        10_000,
        'the changed record',
      );
      await store.remove(changed.name);
      await store.remove(second.name);
      await eventually(
        until(() => gone.includes(changed.name) && gone.includes(second.name)),
        10_000,
        'the deletion',
      );
      assert.deepEqual(
        watch.list().map((record) => record.name),
        [added.name],
        'the leader Lease is no shared record',
      );
    } finally {
      await watch.stop();
    }
  });
});
