// Why a recording asked to start ahead (startAt) ended, when it was stopped before then: in words, for any
// profiler (perf's events never went on; another profiler never ran).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import { validateRecordingParams } from '../../../core/contract/recording-params.ts';
import { endReasonOf } from '../../../sidecar/recording/end-reason.ts';
import { beginRecording } from '../../../sidecar/recording/recording-machine.ts';

const now = new Date('2026-11-26T18:00:00Z');
const params = validateRecordingParams(
  { pid: 42, durationSeconds: 10, startAt: '2026-11-26T18:00:05Z' },
  DEFAULT_LIMITS,
  now.getTime(),
);
const status = beginRecording({ id: 'r1', params, targets: [], now });
const end = { requested: true, closing: false };

describe('the end reason of a recording asked to start ahead', () => {
  it('says a stop before its start sampled nothing, whatever cause the profiler gave', () => {
    for (const cause of ['stopped', undefined] as const)
      assert.equal(
        endReasonOf(status, { ...end, cause, endedAtMs: now.getTime() + 2000 }),
        'stopped on request before its start time: nothing was sampled',
      );
  });

  it('counts a stop after its start from startAt', () => {
    const endedAtMs = Date.parse('2026-11-26T18:00:09Z');
    assert.equal(
      endReasonOf(status, { ...end, cause: 'stopped', endedAtMs }),
      'stopped on request after 4 s',
    );
  });

  it('says the duration was reached when it ran to its end', () => {
    const endedAtMs = Date.parse('2026-11-26T18:00:15Z');
    const reason = endReasonOf(status, { ...end, requested: false, cause: 'duration', endedAtMs });
    assert.equal(reason, 'the duration was reached (10 s)');
  });
});
