// Which catalog recordings a rollout watch compared, read from Recordings' status: each version's recordings
// get the verdict of the comparison that ends at it, the first version none, the run under way pending.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { watchVerdicts } from '../../../server/regressions/watch-verdicts.ts';

const version = (name: string, ids: string[]) => ({
  version: name,
  recordedAt: '2026-11-26T05:00:00Z',
  recordings: ids.map((id, i) => ({ pod: `web-${i}`, recordingId: id })),
  samples: 500,
});

describe('rollout watch verdicts by recording', () => {
  it('gives each version’s recordings the newest comparison with the version before ending at it, and the run under way pending', () => {
    const index = watchVerdicts([
      {
        metadata: { namespace: 'shop', name: 'web-rollouts' },
        spec: { watch: { kind: 'Deployment', name: 'web' } },
        status: {
          results: [
            { pod: 'web-0', recordingId: 'd1', state: 'done' },
            { pod: 'web-1', recordingId: 'd2', state: 'pending' },
          ],
          watch: {
            recording: 'v4',
            versions: [version('v3', ['c1', 'c2']), version('v2', ['b1']), version('v1', ['a1'])],
            comparisons: [
              // With the pinned baseline: it labels no push, the one with the version before does.
              { against: 'baseline', from: 'pinned1', to: 'v3', verdict: 'regressed' },
              { from: 'v2', to: 'v3', verdict: 'improved' },
              { from: 'v1', to: 'v2', verdict: 'regressed' },
              { from: 'v0', to: 'v3', verdict: 'regressed' },
            ],
          },
        },
      },
    ]);
    assert.deepEqual(Object.fromEntries(index), {
      c1: { state: 'known', verdict: 'improved' },
      c2: { state: 'known', verdict: 'improved' },
      b1: { state: 'known', verdict: 'regressed' },
      a1: { state: 'none' },
      d1: { state: 'pending' },
      d2: { state: 'pending' },
    });
  });

  it('has no pending run once its version is recorded, and ignores Recordings that watch nothing', () => {
    const index = watchVerdicts([
      {
        spec: { watch: { kind: 'Deployment', name: 'web' } },
        status: {
          results: [{ pod: 'web-0', recordingId: 'b1' }],
          watch: {
            recording: 'v2',
            versions: [version('v2', ['b1'])],
            comparisons: [{ to: 'v2', verdict: 'bogus' }],
          },
        },
      },
      { spec: {}, status: { results: [{ pod: 'p', recordingId: 'x1' }], watch: { recording: 'v9' } } },
      { spec: { watch: {} }, status: 'text' },
    ]);
    assert.deepEqual(Object.fromEntries(index), { b1: { state: 'none' } });
  });
});
