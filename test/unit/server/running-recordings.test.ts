import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRunningRecordings } from '../../../server/proxy/running-recordings.ts';

describe('running recordings and start reservations', () => {
  function setup() {
    let time = 1_000_000;
    return { running: createRunningRecordings(() => time), advance: (ms: number) => (time += ms) };
  }

  it('counts a reservation at once, as the recording it becomes, and not once released', () => {
    const { running } = setup();
    const first = running.reserve({ namespace: 'a', pod: 'web-1', deadline: 2_000_000 });
    const second = running.reserve({ namespace: 'a', pod: 'web-2', deadline: 2_000_000 });
    assert.equal(running.countNamespace('a'), 2);
    assert.equal(running.countAll(), 2);
    void first.commit('rec-1', 5_000_000);
    second.release();
    assert.equal(running.countNamespace('a'), 1);
    assert.deepEqual(running.ids(), ['rec-1']);
    first.release();
    assert.equal(running.countNamespace('a'), 1, 'releasing a committed reservation changes nothing');
    void second.commit('rec-2', 5_000_000);
    assert.deepEqual(running.ids(), ['rec-1'], 'a released reservation cannot be committed');
    running.finish('rec-1');
    assert.equal(running.countAll(), 0);
  });

  it('stops counting a reservation nobody settled at its deadline', () => {
    const { running, advance } = setup();
    running.reserve({ namespace: 'a', pod: 'web-1', deadline: 1_000_500 });
    assert.equal(running.countNamespace('a'), 1);
    advance(500);
    assert.equal(running.countNamespace('a'), 0);
  });
});
