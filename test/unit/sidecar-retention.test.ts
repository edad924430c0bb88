import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseEvictions } from '../../sidecar/retention.ts';

describe('local retention of recordings', () => {
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
