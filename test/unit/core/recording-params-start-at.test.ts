// `startAt`: a start asked to begin sampling at an instant, at most MAX_START_AHEAD_SECONDS ahead.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { DEFAULT_LIMITS, MAX_START_AHEAD_SECONDS } from '../../../core/contract/limits.ts';
import { startParamsSchema, validateRecordingParams } from '../../../core/contract/recording-params.ts';
import { recordingStatusSchema } from '../../../core/contract/recording.ts';
import { expectedError } from '../../harness/expected-error.ts';

const NOW = Date.parse('2026-11-26T18:00:00.000Z');

function refusal(startAt: unknown): FurnaceError {
  return expectedError(
    FurnaceError,
    () => validateRecordingParams({ startAt }, DEFAULT_LIMITS, NOW),
    'expected startAt to be refused',
  );
}

describe('startAt', () => {
  it('is 600 s at most, a constant the refusal names with the field, the value and the limit', () => {
    assert.equal(MAX_START_AHEAD_SECONDS, 600);
    const at = new Date(NOW + 601_000).toISOString();
    const error = refusal(at);
    assert.equal(error.code, 'ERR_LIMIT_EXCEEDED');
    assert.equal(error.status, 400);
    assert.match(error.message, /^startAt "2026-11-26T18:10:01.000Z" is 601 s ahead/);
    assert.match(error.message, /MAX_START_AHEAD_SECONDS \(600 s\)/);
    assert.deepEqual(error.details, {
      field: 'startAt',
      value: at,
      limit: 'must be at most MAX_START_AHEAD_SECONDS (600 s) ahead',
    });
  });

  it('takes exactly 600 s ahead, an offset, and a time in the past (which means now)', () => {
    const ahead = new Date(NOW + 600_000).toISOString();
    assert.equal(validateRecordingParams({ startAt: ahead }, DEFAULT_LIMITS, NOW).startAt, ahead);
    const offset = '2026-11-26T19:05:00+01:00';
    assert.equal(validateRecordingParams({ startAt: offset }, DEFAULT_LIMITS, NOW).startAt, offset);
    const past = '2026-11-26T17:00:00Z';
    assert.equal(validateRecordingParams({ startAt: past }, DEFAULT_LIMITS, NOW).startAt, past);
  });

  it('refuses what is not an RFC 3339 time, naming the field and the form', () => {
    for (const bad of ['tomorrow', '2026-11-26 18:00:00Z', '2026-11-26T18:00:00', 1764180000000, '']) {
      const error = refusal(bad);
      assert.equal(error.code, 'ERR_INVALID_PARAMETER', String(bad));
      assert.match(error.message, /^startAt .* is invalid: must be an RFC 3339 time/);
    }
  });

  it('is absent unless given (a start begins now)', () => {
    assert.equal(validateRecordingParams({}, DEFAULT_LIMITS, NOW).startAt, undefined);
  });

  it('is in the start schema and in the status schema, with startsAt while a recording waits', () => {
    const start = startParamsSchema(DEFAULT_LIMITS) as { properties: Record<string, { type: string }> };
    assert.equal(start.properties.startAt?.type, 'string');
    assert.equal(recordingStatusSchema.properties.params.properties.startAt.type, 'string');
    assert.equal(recordingStatusSchema.properties.startsAt.type, 'string');
  });
});
