// When a watch looks again at a version's run (operator/recording/watch/run-polls.ts): the Event of a rollout
// waits on these looks, so a pod whose sidecar is registering and recordings being processed are asked
// about often, and a run that is still recording is looked at when its recordings should end.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Recording, RecordingStatus } from '../../../operator/recording/recording-types.ts';
import { WATCH_POLL_MS } from '../../../operator/recording/watch/plan-watch.ts';
import { untilRecorded } from '../../../operator/recording/watch/run-polls.ts';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const recording: Recording = {
  metadata: { name: 'web-rollouts', namespace: 'shop' },
  spec: {
    target: { selector: {} },
    durationSeconds: 8,
    watch: { kind: 'Deployment', name: 'web', settleSeconds: 2 },
  },
};
const run = (results: RecordingStatus['results']): RecordingStatus => ({
  phase: 'Recording',
  lastRunTime: new Date(T0).toISOString(),
  ...(results ? { results } : {}),
});

describe('when a watch looks again at a version being recorded', () => {
  it('tries a pod whose sidecar has not registered yet again within 200 ms', () => {
    const status = run([
      { pod: 'web-1', state: 'recording', recordingId: 'a' },
      { pod: 'web-2', state: 'pending', message: 'no sidecar is registered for pod shop/web-2' },
    ]);
    assert.equal(untilRecorded(status, recording, T0 + 300, 2000), 200);
  });

  it('looks when the recordings should end while they record', () => {
    const status = run([{ pod: 'web-1', state: 'recording', recordingId: 'a' }]);
    assert.equal(untilRecorded(status, recording, T0 + 3000, 2000), 2000);
    assert.equal(untilRecorded(status, recording, T0 + 7000, 2000), 1000);
  });

  it('asks every 100 ms once they should have ended, until they are processed', () => {
    const status = run([{ pod: 'web-1', state: 'processing', recordingId: 'a' }]);
    assert.equal(untilRecorded(status, recording, T0 + 8000, 2000), 100);
    assert.equal(untilRecorded(status, recording, T0 + 8600, undefined), 100);
  });

  it('leaves a run that is over to the plan', () => {
    const over: RecordingStatus = { ...run(undefined), phase: 'Succeeded' };
    assert.equal(untilRecorded(over, recording, T0 + 9000, 1234), 1234);
    assert.equal(untilRecorded(over, recording, T0 + 9000, undefined), undefined);
    assert.ok(WATCH_POLL_MS > 1000, 'an idle watch looks seldom');
  });
});
