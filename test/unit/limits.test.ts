import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS, validateRecordingParams } from '../../core/limits.ts';
import { FurnaceError } from '../../core/errors.ts';

function rejection(input: unknown): FurnaceError {
  try {
    validateRecordingParams(input, DEFAULT_LIMITS);
  } catch (error) {
    assert.ok(error instanceof FurnaceError);
    return error;
  }
  assert.fail('expected the parameters to be rejected');
}

describe('validateRecordingParams', () => {
  it('applies defaults to an empty request', () => {
    const params = validateRecordingParams({}, DEFAULT_LIMITS);
    assert.equal(params.durationSeconds, 30);
    assert.equal(params.frequency, 99);
    assert.equal(params.event, 'cpu-clock');
    assert.equal(params.callGraph, 'fp');
    assert.equal(params.symbols, 'proc');
    assert.equal(params.systemWide, false);
  });

  it('names the field, the value and the limit when a duration is too long', () => {
    const error = rejection({ durationSeconds: 601 });
    assert.equal(error.code, 'ERR_LIMIT_EXCEEDED');
    assert.equal(error.status, 400);
    assert.match(error.message, /durationSeconds 601 .*between 1 and 600/);
  });

  it('rejects a frequency over the limit and an unknown event', () => {
    assert.match(rejection({ frequency: 5000 }).message, /frequency 5000 .*999/);
    assert.match(rejection({ event: 'rm -rf' }).message, /event "rm -rf" .*cpu-clock/);
  });

  it('rejects a process pattern that is not a regular expression', () => {
    assert.match(rejection({ processPattern: '(' }).message, /processPattern/);
  });

  it('rejects a body that is not an object', () => {
    assert.equal(rejection([1]).code, 'ERR_INVALID_PARAMETER');
  });
});
