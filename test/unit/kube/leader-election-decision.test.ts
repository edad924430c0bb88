// The pure round of the leader election (kube/leases/lease-record.ts) and the chores that only the
// leader runs (server/leader/chores.ts), with a hand-driven Leadership.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import type { Leadership } from '../../../kube/leases/leader-election.ts';
import {
  decideElection,
  heldRecord,
  leaseObjectOf,
  leaseRecordOf,
  microTime,
  type LeaseRecord,
} from '../../../kube/leases/lease-record.ts';
import { startChores } from '../../../server/leader/chores.ts';

const record = (holder: string, durationSeconds = 15): LeaseRecord => ({
  name: 'leader',
  holder,
  durationSeconds,
  transitions: 2,
  resourceVersion: '41',
  renewTime: microTime(0),
  acquireTime: microTime(0),
  labels: {},
  annotations: {},
});

describe('one round of the leader election', () => {
  it('creates a missing Lease, renews its own, waits for a live holder', () => {
    assert.deepEqual(decideElection('a', { record: undefined, observedAt: 0 }, 1000), { kind: 'create' });
    assert.deepEqual(decideElection('a', { record: record('a'), observedAt: 0 }, 99_000), { kind: 'renew' });
    assert.deepEqual(decideElection('a', { record: record('b'), observedAt: 5000 }, 19_999), {
      kind: 'wait',
      holder: 'b',
      expiresAt: 20_000,
    });
  });

  it('takes over a Lease unchanged for its whole duration since this candidate saw it, or released', () => {
    // Expiry counts from when this candidate saw the record change, not from the holder's renewTime.
    assert.deepEqual(decideElection('a', { record: record('b'), observedAt: 5000 }, 20_000), {
      kind: 'take-over',
      reason: 'expired',
    });
    assert.deepEqual(decideElection('a', { record: record(''), observedAt: 5000 }, 5000), {
      kind: 'take-over',
      reason: 'released',
    });
  });

  it('writes the holder, times and transitions over the version it read', () => {
    const previous = record('b');
    const taken = heldRecord(
      { kind: 'take-over', reason: 'expired' },
      { name: 'leader', durationSeconds: 15, previous },
      'a',
      30_000,
    );
    assert.equal(taken.holder, 'a');
    assert.equal(taken.transitions, 3);
    assert.equal(taken.resourceVersion, '41');
    assert.equal(taken.acquireTime, '1970-01-01T00:00:30.000000Z');
    const renewed = heldRecord(
      { kind: 'renew' },
      { name: 'leader', durationSeconds: 15, previous: { ...previous, holder: 'a' } },
      'a',
      40_000,
    );
    assert.equal(renewed.transitions, 2);
    assert.equal(renewed.acquireTime, microTime(0));
    assert.equal(renewed.renewTime, '1970-01-01T00:00:40.000000Z');
  });

  it('reads back what it writes', () => {
    const draft = { ...record('a'), labels: { k: 'v' }, annotations: { note: 'x' } };
    const object = leaseObjectOf('ns', draft) as { metadata: object };
    assert.deepEqual(leaseRecordOf(object), draft);
  });
});

/** A Leadership a test switches by hand. */
function switchable(leading: boolean) {
  const listeners = new Set<(leading: boolean) => void>();
  const leadership: Leadership & { set(value: boolean): void } = {
    isLeader: () => leading,
    onChange(listener) {
      listeners.add(listener);
      if (leading) listener(true);
      return () => listeners.delete(listener);
    },
    stop: () => Promise.resolve(),
    set(value) {
      leading = value;
      for (const listener of listeners) listener(value);
    },
  };
  return leadership;
}

describe('chores run on the leader only', () => {
  it('runs each chore at once on leading and then on its interval, never while following', async () => {
    const timers: (() => void)[] = [];
    const leadership = switchable(false);
    let ran = 0;
    const chores = startChores({
      leadership,
      chores: [{ name: 'retention', everyMs: 1000, run: () => Promise.resolve(ran++) }],
      log: { warn: () => undefined },
      setTimer: (callback) => {
        timers.push(callback);
        return { unref: () => undefined } as unknown as NodeJS.Timeout;
      },
    });
    timers.shift()?.();
    await tick();
    assert.equal(ran, 0, 'a follower runs nothing');
    leadership.set(true);
    await tick();
    assert.equal(chores.runs('retention'), 1, 'a new leader catches up at once');
    timers.shift()?.();
    await tick();
    assert.equal(ran, 2);
    leadership.set(false);
    timers.shift()?.();
    await tick();
    assert.equal(ran, 2, 'a replica that lost the Lease starts no run');
    await chores.stop();
  });

  it('never overlaps a chore with itself, and a failing run is logged', async () => {
    const timers: (() => void)[] = [];
    const warnings: string[] = [];
    let release: () => void = () => undefined;
    let calls = 0;
    const chores = startChores({
      leadership: switchable(true),
      chores: [
        {
          name: 'slow',
          everyMs: 10,
          run: () => {
            calls += 1;
            return new Promise<void>((_resolve, reject) => {
              release = () => reject(new Error('disk full'));
            });
          },
        },
      ],
      log: { warn: (_obj, msg) => warnings.push(msg) },
      setTimer: (callback) => {
        timers.push(callback);
        return { unref: () => undefined } as unknown as NodeJS.Timeout;
      },
    });
    timers.shift()?.();
    assert.equal(calls, 1, 'the run on leading is still in flight');
    release();
    await tick();
    await tick();
    assert.deepEqual(warnings, ['chore slow failed']);
    await chores.stop();
  });
});
