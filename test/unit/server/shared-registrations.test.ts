// Registrations shared through Leases: two replicas' views over the in-memory fake of the Lease store
// (test/harness/fake-lease-store.ts; the real one is in test/kube/replicas-registry.test.ts), which delivers
// every change to both replicas as their watches would. What is written when, conflicts, agents, deleted
// pods, collection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAgentRegistry } from '../../../server/registry/agent-registry.ts';
import { createRegistry } from '../../../server/registry/lease-registry.ts';
import { planWrite } from '../../../server/registry/registration-records.ts';
import { createSharedRegistrations } from '../../../server/registry/shared-registrations.ts';
import { sharedKeysOf } from '../../../core/shared-key.ts';
import type { SharedRecord } from '../../../server/replicas/lease-records.ts';
import { eventually } from '../../harness/eventually.ts';
import { FakeLeaseStore } from '../../harness/fake-lease-store.ts';

const KEYS = sharedKeysOf([Buffer.alloc(32, 3)]);
const sidecar = (pin = 'pin-1') => ({
  namespace: 'shop',
  pod: 'web',
  podUid: 'uid-web',
  address: { host: '10.0.0.5', port: 12380 },
  tls: { port: 12381, pin },
});

/** A seeded stand-in for Math.random (a linear congruential generator), so counts repeat. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Replicas over one store; `random` stretches each write's interval (none by default: exact times). */
function cluster(random: () => number = () => 0) {
  let time = 1_000_000;
  const store = new FakeLeaseStore();
  const replica = (holder: string) => {
    const registry = createRegistry({ now: () => time, keys: KEYS, leaseSeconds: 30 });
    const agents = createAgentRegistry({ now: () => time, keys: KEYS, leaseSeconds: 30 });
    const shared = createSharedRegistrations({
      ...{ registry, agents, store, holder, keys: KEYS, leaseSeconds: 30 },
      now: () => time,
      random,
      log: { warn: (obj, msg) => assert.fail(`${msg} ${JSON.stringify(obj)}`) },
    });
    store.subscribers.push(shared);
    return { registry, agents, shared };
  };
  return { store, a: replica('a'), b: replica('b'), advance: (s: number) => (time += s * 1000) };
}

/** A store whose replaces wait, while `held`, until release(): what is at the API server at once. */
class HeldLeaseStore extends FakeLeaseStore {
  held = false;
  inFlight = 0;
  mostInFlight = 0;
  #waiting: (() => void)[] = [];

  override async replace(record: SharedRecord): Promise<SharedRecord> {
    this.inFlight += 1;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    if (this.held) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.inFlight -= 1;
    return super.replace(record);
  }

  release(): void {
    this.held = false;
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}

/** Lets writes made behind an answer finish. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('registrations shared through Leases', () => {
  it('puts a registration made through A in B’s view, with the same tokens and no token in the Lease', async () => {
    const { a, b, store } = cluster();
    const written = await a.shared.writeSidecar(sidecar());
    const seen = b.registry.get('shop', 'web');
    assert.equal(seen?.proxyToken, written.proxyToken);
    assert.equal(b.registry.findByUploadToken(written.uploadToken)?.pod, 'web');
    const [lease] = store.leases.values();
    assert.equal(lease?.holder, 'a');
    const text = JSON.stringify(lease);
    assert.ok(!text.includes(written.proxyToken) && !text.includes(written.uploadToken));
  });

  it('writes a recorder renewing every 15 s at most once a minute, and the renewals behind their answer', async () => {
    const { a, b, store, advance } = cluster();
    await a.shared.writeSidecar(sidecar());
    for (let i = 0; i < 40; i += 1) {
      advance(15);
      const through = i % 2 === 0 ? a : b;
      await through.shared.writeSidecar(sidecar());
      await settle();
      assert.ok(a.registry.get('shop', 'web') && b.registry.get('shop', 'web'), `live on both at ${i}`);
    }
    assert.ok(store.writes() <= 1 + 10, `the first write, then at most one a minute: ${store.writes()}`);
    assert.equal(store.writes(), 1 + 8, 'a write when less than a lease is left: every 75 s at this pace');
    assert.ok(a.registry.get('shop', 'web') && b.registry.get('shop', 'web'));
  });

  it('spreads the renewals of recorders registered together across the minute, each still at most once a minute', async () => {
    const { a, store, advance } = cluster(seeded(7));
    const count = 400;
    const pods = Array.from({ length: count }, (_, i) => ({
      ...sidecar(),
      pod: `web-${i}`,
      podUid: `uid-${i}`,
    }));
    for (const pod of pods) await a.shared.writeSidecar(pod);
    const perRound: number[] = [];
    for (let round = 0; round < 40; round += 1) {
      advance(15);
      const before = store.writes();
      for (const pod of pods) await a.shared.writeSidecar(pod);
      await settle();
      perRound.push(store.writes() - before);
    }
    const total = perRound.reduce((sum, n) => sum + n, 0);
    assert.ok(total <= (count * 40 * 15) / 60, `at most one write per recorder a minute: ${total}`);
    // Without the spread every recorder writes in the same round, once every 75 s: 400, 0, 0, 0, 0, 400…
    const late = perRound.slice(20);
    assert.ok(Math.max(...late) <= count / 2, `no round carries most recorders: ${late.join(' ')}`);
    assert.ok(late.filter((n) => n === 0).length === 0, `writes in every round: ${late.join(' ')}`);
  });

  it('writes at once and answers new tokens when the sidecar restarts (another key)', async () => {
    const { a, b } = cluster();
    const first = await a.shared.writeSidecar(sidecar('pin-1'));
    const restarted = await b.shared.writeSidecar(sidecar('pin-2'));
    assert.notEqual(restarted.proxyToken, first.proxyToken);
    assert.equal(a.registry.get('shop', 'web')?.proxyToken, restarted.proxyToken);
  });

  it('settles two first registrations at once on one Lease with the same tokens', async () => {
    const { a, b, store } = cluster();
    const [one, two] = await Promise.all([
      a.shared.writeSidecar(sidecar()),
      b.shared.writeSidecar(sidecar()),
    ]);
    assert.equal(one.proxyToken, two.proxyToken);
    assert.equal(store.leases.size, 1);
  });

  it('shares agents’ registrations by node', async () => {
    const { a, b } = cluster();
    const agent = {
      node: 'node-a',
      namespace: 'furnace',
      pod: 'agent-x',
      podUid: 'uid-agent',
      address: { host: '10.0.0.9', port: 12382 },
      tls: { port: 12382, pin: 'pin-agent' },
    };
    const written = await a.shared.writeAgent(agent);
    assert.equal(b.agents.forNode('node-a')?.proxyToken, written.proxyToken);
    assert.equal(b.agents.forNode('node-a')?.pod, 'agent-x');
    b.shared.podDeleted('furnace', 'agent-x', 'uid-agent');
    assert.equal(b.agents.forNode('node-a'), undefined);
  });

  it('drops a deleted pod from every view at once, keeps a late write of it out, and its writer deletes the Lease', async () => {
    const { a, b, store } = cluster();
    const written = await a.shared.writeSidecar(sidecar());
    const [lease] = store.leases.values();
    b.shared.podDeleted('shop', 'web', 'uid-web');
    assert.equal(b.registry.get('shop', 'web'), undefined, 'B forgets it from its own pod watch');
    assert.equal(store.leases.size, 1, 'B did not write it, so B leaves the Lease');
    b.shared.onRecord({ ...lease!, resourceVersion: '99' });
    assert.equal(b.registry.findByUploadToken(written.uploadToken), undefined, 'a late write is not taken');
    a.shared.podDeleted('shop', 'web', 'uid-web');
    await settle();
    assert.equal(store.leases.size, 0, 'A wrote it and deletes it');
  });

  it('has at most writesBehindAtOnce renewals at the API server at once; the others wait their turn', async () => {
    let time = 1_000_000;
    const store = new HeldLeaseStore();
    const registry = createRegistry({ now: () => time, keys: KEYS, leaseSeconds: 30 });
    const shared = createSharedRegistrations({
      ...{ registry, store, holder: 'a', keys: KEYS, leaseSeconds: 30, writesBehindAtOnce: 2 },
      now: () => time,
      random: () => 0,
      log: { warn: (obj, msg) => assert.fail(`${msg} ${JSON.stringify(obj)}`) },
    });
    store.subscribers.push(shared);
    const pods = Array.from({ length: 6 }, (_, i) => ({ ...sidecar(), pod: `web-${i}`, podUid: `uid-${i}` }));
    for (const pod of pods) await shared.writeSidecar(pod);
    time += 61_000; // less than a lease left of each stored expiry: the renewals are written behind
    store.held = true;
    for (const pod of pods) assert.ok(await shared.writeSidecar(pod), 'answered before its write');
    await settle();
    assert.equal(store.inFlight, 2, 'two renewals at the API server, four waiting');
    store.release();
    await eventually(
      () => Promise.resolve(store.writes() === 12 ? true : undefined),
      2_000,
      'every renewal written',
    );
    assert.equal(store.mostInFlight, 2);
  });

  it('collects expired Leases: the writer’s at once, another replica’s five minutes later', async () => {
    const { a, b, store, advance } = cluster();
    await a.shared.writeSidecar(sidecar());
    advance(91);
    assert.equal(await b.shared.collect(), 0, 'not B’s to delete yet');
    assert.equal(await a.shared.collect(), 1);
    assert.equal(store.leases.size, 0);
    await a.shared.writeSidecar(sidecar());
    advance(91 + 300);
    assert.equal(await b.shared.collect(), 1, 'anyone’s once five minutes stale');
  });
});

describe('planWrite', () => {
  const policy = { now: 100_000, leaseSeconds: 30, writeIntervalSeconds: 60, currentKeyId: 'k1', spread: 0 };
  const stored = { ...sidecar(), keyId: 'k1', registeredAt: 1, expiresAt: 100_000 + 50_000 };

  it('writes nothing while more than a lease is left, behind the answer when less, at once for a new key or sidecar', () => {
    assert.equal(planWrite(stored, sidecar(), policy), undefined);
    assert.deepEqual(planWrite({ ...stored, expiresAt: 120_000 }, sidecar(), policy), {
      registeredAt: 1,
      expiresAt: 190_000,
      wait: false,
    });
    assert.equal(planWrite({ ...stored, keyId: 'k0' }, sidecar(), policy)?.wait, true);
    assert.deepEqual(planWrite(stored, sidecar('pin-2'), policy), {
      registeredAt: 100_000,
      expiresAt: 190_000,
      wait: true,
    });
    assert.equal(planWrite(undefined, sidecar(), policy)?.wait, true);
    const stretched = planWrite(undefined, sidecar(), { ...policy, spread: 0.5 });
    assert.equal(stretched?.expiresAt, 100_000 + (30 + 60 * 1.5) * 1000, 'half the interval more');
    assert.equal(
      planWrite({ ...stored, expiresAt: 100_000 }, sidecar(), policy)?.registeredAt,
      100_000,
      'expired',
    );
  });
});
