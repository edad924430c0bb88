// Start slots across replicas on the real API server: two slot managers (two replicas' server/slots/)
// on one namespace. The second is refused a pod the first holds, and gets it after the first releases
// it or after the first stops renewing (a dead replica) and the slot expires; numbered namespace slots
// hold the per-namespace limit across both; the leader's chore deletes expired slots.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKubeRequest } from '../../kube/kube-request.ts';
import { createLeaseClient } from '../../kube/leases/lease-client.ts';
import { createLeaseSlots } from '../../server/slots/lease-slots.ts';
import type { SharedSlots, TakeResult } from '../../server/slots/shared-slots.ts';
import { createNamespace, useCluster } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';

const { kc } = await useCluster();
const request = createKubeRequest(kc);

function replica(
  namespace: string,
  identity: string,
  slotSeconds = 30,
  ended?: (recording: string) => boolean,
): SharedSlots {
  return createLeaseSlots({
    leases: createLeaseClient(request, namespace),
    identity,
    slotSeconds,
    now: () => Date.now(),
    log: { warn: () => undefined },
    ...(ended ? { ended } : {}),
  });
}

const start = (pod: string, startedBy = 'alice') => ({
  namespace: 'team-a',
  pod,
  startedBy,
  maxPerNamespace: 2,
  maxPerCluster: 10,
});

function held(result: TakeResult) {
  assert.ok(result.taken, `refused: ${JSON.stringify(result)}`);
  return result.held;
}

describe('start slots shared by replicas', () => {
  it('refuses a pod another replica holds, naming its recording, until that one is released', async () => {
    const namespace = await createNamespace(kc);
    const a = replica(namespace, 'a');
    const b = replica(namespace, 'b');
    const slot = held(await a.take(start('web-1')));
    assert.deepEqual(await b.take(start('web-1', 'bob')), { taken: false, busy: 'pod', startedBy: 'alice' });
    await slot.commit('rec-1', Date.now() + 60_000);
    await eventually(
      async () => {
        const refused = await b.take(start('web-1', 'bob'));
        return !refused.taken && refused.busy === 'pod' && refused.recording === 'rec-1'
          ? refused
          : undefined;
      },
      10_000,
      'the committed recording named in the refusal',
    );
    // The recording ends; replica b sees its upload and frees the slots a took.
    await b.release('team-a', 'web-1', 'rec-1');
    const again = held(await b.take(start('web-1', 'bob')));
    again.release();
    await Promise.all([a.stop(), b.stop()]);
  });

  it('frees the slot of a replica that stopped renewing once it expires', async () => {
    const namespace = await createNamespace(kc);
    const dead = replica(namespace, 'dead', 2);
    const b = replica(namespace, 'b', 2);
    held(await dead.take(start('web-2')));
    await dead.stop(); // no renewal, no release: as if the replica was killed
    assert.equal((await b.take(start('web-2'))).taken, false);
    const taken = await eventually(
      async () => {
        const result = await b.take(start('web-2'));
        return result.taken ? result : undefined;
      },
      15_000,
      'the dead replica’s slot expiring',
      250,
    );
    taken.held.release();
    await b.stop();
  });

  it('holds the per-namespace limit across replicas with numbered slots', async () => {
    const namespace = await createNamespace(kc);
    const a = replica(namespace, 'a');
    const b = replica(namespace, 'b');
    const first = held(await a.take(start('p1')));
    held(await b.take(start('p2')));
    assert.deepEqual(await a.take(start('p3')), { taken: false, busy: 'namespace', running: 2 });
    // The refused start left nothing behind: its pod slot was given back.
    first.release();
    await eventually(
      async () => ((await b.take(start('p3'))).taken ? true : undefined),
      10_000,
      'a namespace slot free again',
    );
    await Promise.all([a.stop(), b.stop()]);
  });

  it('gives every one of many starts arriving at once a slot while the limit allows', async () => {
    // 24 pods started together through two replicas under a limit of 30: each start must get a numbered
    // slot. (Before: every start tried the lowest free number, only one won each round, and after three
    // rounds the rest were refused as if the namespace already ran 30 recordings.)
    const namespace = await createNamespace(kc);
    const replicas = [replica(namespace, 'a'), replica(namespace, 'b')];
    const pods = Array.from({ length: 24 }, (_, index) => `burst-${index}`);
    const results = await Promise.all(
      pods.map((pod, index) =>
        (replicas[index % 2] as SharedSlots).take({ ...start(pod), maxPerNamespace: 30, maxPerCluster: 40 }),
      ),
    );
    const refused = results.filter((result) => !result.taken);
    assert.deepEqual(refused, [], 'no start refused while 6 namespace slots were still free');
    for (const result of results) if (result.taken) result.held.release();
    await Promise.all(replicas.map((r) => r.stop()));
  });

  it('frees the slots of a recording that ended before its commit landed, or whose release was lost', async () => {
    const namespace = await createNamespace(kc);
    const ended = new Set<string>();
    const a = replica(namespace, 'a', 30, (id) => ended.has(id));
    const b = replica(namespace, 'b', 30, (id) => ended.has(id));
    // The upload reached replica b and ended the recording before a's commit was written.
    const first = held(await a.take(start('quick-1')));
    ended.add('rec-quick-1');
    await b.release('team-a', 'quick-1', 'rec-quick-1');
    await first.commit('rec-quick-1', Date.now() + 900_000);
    await eventually(
      async () => ((await b.take(start('quick-1'))).taken ? true : undefined),
      10_000,
      'the pod free again after the late commit',
    );
    // A replica committed, the recording ended, and the replica that saw the end died before releasing.
    const dead = replica(namespace, 'dead', 30, () => false);
    await held(await dead.take(start('quick-2'))).commit('rec-quick-2', Date.now() + 900_000);
    // Another namespace: team-a's two numbered slots are taken (quick-1 again, quick-2).
    const quick3 = { ...start('quick-3'), namespace: 'team-b' };
    await held(await dead.take(quick3)).commit('rec-quick-3', Date.now() + 900_000);
    await dead.stop();
    ended.add('rec-quick-2');
    ended.add('rec-quick-3');
    // A start through a replica whose catalog lists the end takes the pod's slot over at once.
    assert.equal((await b.take(start('quick-2'))).taken, true, 'the next start goes on');
    // One whose catalog does not know it yet waits for the leader's collection.
    const blind = replica(namespace, 'blind', 30, () => false);
    assert.equal((await blind.take(quick3)).taken, false, 'held until someone notices the end');
    await eventually(async () => ((await a.collectExpired()) > 0 ? true : undefined), 10_000, 'collection');
    assert.equal((await blind.take(quick3)).taken, true, 'the leader freed the ended recording’s slots');
    await Promise.all([a.stop(), b.stop(), blind.stop()]);
  });

  it("keeps a keyed start's key and answer on the pod's slot, for a retry through another replica", async () => {
    const namespace = await createNamespace(kc);
    const a = replica(namespace, 'a');
    const b = replica(namespace, 'b');
    const answer = JSON.stringify({ id: 'rec-keyed', state: 'recording' });
    await held(await a.take({ ...start('keyed'), startKey: 'key-hash-1' })).commit(
      'rec-keyed',
      Date.now() + 60_000,
      answer,
    );
    const refused = await eventually(
      async () => {
        const result = await b.take({ ...start('keyed'), startKey: 'key-hash-1' });
        return !result.taken && result.busy === 'pod' && result.recording ? result : undefined;
      },
      10_000,
      'the committed keyed start',
    );
    assert.deepEqual(refused, {
      taken: false,
      busy: 'pod',
      recording: 'rec-keyed',
      startedBy: 'alice',
      startKey: 'key-hash-1',
      answer,
    });
    await Promise.all([a.stop(), b.stop()]);
  });

  it('lets a retry with the same key take over a start whose replica died before the recorder answered', async () => {
    const namespace = await createNamespace(kc);
    const dead = replica(namespace, 'dead');
    const b = replica(namespace, 'b');
    // The first attempt took its three slots and died: no commit, no release, no renewal.
    held(await dead.take({ ...start('resumed'), startKey: 'key-hash-2' }));
    await dead.stop();
    const other = await b.take({ ...start('resumed'), startKey: 'key-hash-other' });
    assert.deepEqual(other, { taken: false, busy: 'pod', startedBy: 'alice', startKey: 'key-hash-2' });
    const unkeyed = await b.take(start('resumed'));
    assert.equal(unkeyed.taken, false, 'a start without the key is still refused');

    await held(await b.take({ ...start('resumed'), startKey: 'key-hash-2' })).commit(
      'rec-resumed',
      Date.now() + 60_000,
    );
    const slots = await createLeaseClient(request, namespace).list('furnace.hyperfoil.io/slot');
    assert.deepEqual(
      slots.map((slot) => [slot.labels['furnace.hyperfoil.io/slot'], slot.holder]).sort(),
      [
        ['cluster', 'b'],
        ['namespace', 'b'],
        ['pod', 'b'],
      ],
      'the retry holds one slot of each kind; the dead attempt’s numbered slots are gone, not counted twice',
    );
    await b.stop();
  });

  it('the leader deletes expired slots', async () => {
    const namespace = await createNamespace(kc);
    const dead = replica(namespace, 'dead', 1);
    held(await dead.take(start('web-3')));
    await dead.stop();
    const leader = replica(namespace, 'leader');
    const removed = await eventually(
      async () => {
        const count = await leader.collectExpired();
        return count > 0 ? count : undefined;
      },
      10_000,
      'expired slots collected',
      250,
    );
    assert.equal(removed, 3, 'the pod, namespace and cluster slots');
    assert.deepEqual(await createLeaseClient(request, namespace).list('furnace.hyperfoil.io/slot'), []);
  });
});
