import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS } from '../../core/limits.ts';
import { startParamsSchema, validateRecordingParams } from '../../core/recording-params.ts';
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

describe('one start-parameters contract', () => {
  it('refuses a field the contract does not know, naming it', () => {
    const error = rejection({ durationSeconds: 5, bogus: true });
    assert.equal(error.code, 'ERR_INVALID_PARAMETER');
    assert.match(error.message, /bogus is not a known parameter/);
    assert.equal(error.details.field, 'bogus');
  });

  it('describes in its JSON schema exactly the fields the validator accepts, with the limits given', () => {
    const limits = { ...DEFAULT_LIMITS, maxDurationSeconds: 60, maxFrequency: 199 };
    const schema = startParamsSchema(limits) as {
      additionalProperties: boolean;
      properties: Record<string, { maximum?: number; default?: unknown }>;
    };
    assert.equal(schema.additionalProperties, false);
    assert.equal(schema.properties.durationSeconds?.maximum, 60);
    assert.equal(schema.properties.frequency?.maximum, 199);
    const full = {
      durationSeconds: 60,
      frequency: 199,
      event: 'cpu-clock',
      callGraph: 'dwarf',
      container: 'app',
      processPattern: 'java',
      pid: 42,
      symbols: 'image',
      systemWide: false,
      profiler: 'bpftrace',
      bpftrace: { program: 'profile:hz:99 { @[ustack] = count(); }' },
    };
    assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(full).sort());
    assert.deepEqual(validateRecordingParams(full, limits), full);
    const defaults = validateRecordingParams({}, limits) as unknown as Record<string, unknown>;
    for (const [name, property] of Object.entries(schema.properties)) {
      assert.equal(property.default, defaults[name], `default of ${name}`);
    }
  });

  it('takes a missing body as all defaults but refuses null', () => {
    assert.equal(validateRecordingParams(undefined, DEFAULT_LIMITS).durationSeconds, 30);
    assert.equal(rejection(null).details.field, 'body');
  });
});
