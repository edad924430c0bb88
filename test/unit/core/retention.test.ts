import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { selectEvictions, type RetainedItem } from '../../../core/retention.ts';

/** The sidecar's use: items in start order, a count and a byte cap, no age limit. */
function chooseEvictions(items: Omit<RetainedItem, 'time'>[], keep: number, keepBytes: number): string[] {
  const ordered = items.map((item, index) => ({ ...item, time: index }));
  return selectEvictions(ordered, { maxCount: keep, maxBytes: keepBytes }, 0);
}

describe('retention (sidecar disk and server catalog)', () => {
  const r = (id: string, bytes: number, active = false) => ({ id, bytes, active });

  it('keeps the newest N, evicting the oldest first', () => {
    assert.deepEqual(chooseEvictions([r('a', 1), r('b', 1), r('c', 1), r('d', 1)], 2, 100), ['a', 'b']);
  });

  it('evicts old recordings until the kept ones fit the byte cap', () => {
    assert.deepEqual(chooseEvictions([r('a', 50), r('b', 30), r('c', 40)], 10, 80), ['a']);
    assert.deepEqual(
      chooseEvictions([r('a', 50), r('b', 30), r('c', 90)], 10, 80),
      ['a', 'b'],
      'the newest stays',
    );
  });

  it('never evicts a running recording', () => {
    assert.deepEqual(chooseEvictions([r('a', 50, true), r('b', 30), r('c', 40)], 1, 1000), ['b']);
  });

  it('evicts nothing within the limits', () => {
    assert.deepEqual(chooseEvictions([r('a', 1), r('b', 1)], 2, 2), []);
    assert.deepEqual(chooseEvictions([], 1, 1), []);
  });
});

describe('retention by age', () => {
  it('removes a finished recording past the age limit but keeps an active one', () => {
    const day = 86_400_000;
    const items = [
      { id: 'old', bytes: 1, time: 0, active: false },
      { id: 'old-running', bytes: 1, time: 0, active: true },
      { id: 'new', bytes: 1, time: 40 * day, active: false },
    ];
    assert.deepEqual(
      selectEvictions(items, { maxCount: 10, maxBytes: 100, maxAgeSeconds: 30 * 86_400 }, 41 * day),
      ['old'],
    );
  });
});
