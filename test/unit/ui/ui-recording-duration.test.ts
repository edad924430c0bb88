// The Duration a recording's page and History show: how long it sampled. The entry's end is when its
// upload finished, so a 1 s recording whose processing took 0.6 s showed "2 s" (issue 44 item 13).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationOf } from '../../../ui/src/pages/recording-times.ts';
import { perfParams } from '../../harness/recording-status.ts';

const START = '2026-03-01T12:00:00.000Z';
const at = (ms: number): string => new Date(Date.parse(START) + ms).toISOString();

describe('durationOf', () => {
  it('is never more than the duration asked for', () => {
    assert.equal(durationOf({ startedAt: START, endedAt: at(1600), params: perfParams(1) }), '1 s');
    assert.equal(durationOf({ startedAt: START, endedAt: at(31_900), params: perfParams(30) }), '30 s');
  });

  it('is the time to the end for a recording stopped early, and a dash without an end', () => {
    assert.equal(durationOf({ startedAt: START, endedAt: at(5400), params: perfParams(30) }), '5 s');
    assert.equal(durationOf({ startedAt: START, params: perfParams(30) }), '—');
  });
});
