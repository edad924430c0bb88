import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { readBearer, sameSecret, toFurnaceError } from '../../../core/contract/http-errors.ts';

const request = { body: { frequency: 5000 }, params: {}, query: {} };

describe('toFurnaceError', () => {
  it('keeps a FurnaceError as it is', () => {
    const error = new FurnaceError('ERR_RECORDING_RUNNING', 'busy');
    assert.equal(toFurnaceError(error, request), error);
  });

  it('names the field, the value and the limit of a schema rejection', () => {
    const rejection = {
      statusCode: 400,
      validationContext: 'body',
      validation: [
        { keyword: 'maximum', instancePath: '/frequency', params: { comparison: '<=', limit: 999 } },
      ],
    };
    const error = toFurnaceError(rejection, request);
    assert.equal(error.code, 'ERR_LIMIT_EXCEEDED');
    assert.equal(error.message, 'frequency 5000 is out of range: must be <= 999');
    assert.deepEqual(error.details, { field: 'frequency', value: 5000, limit: 'must be <= 999' });
  });

  it('names an unknown and a missing field', () => {
    const unknown = toFurnaceError(
      { validation: [{ keyword: 'additionalProperties', params: { additionalProperty: 'x' } }] },
      request,
    );
    assert.equal(unknown.message, 'x is not a known parameter');
    const missing = toFurnaceError(
      { validation: [{ keyword: 'required', params: { missingProperty: 'id' } }] },
      request,
    );
    assert.equal(missing.message, 'id is required');
    const nested = toFurnaceError(
      { validation: [{ keyword: 'required', instancePath: '/request', params: { missingProperty: 'uid' } }] },
      request,
    );
    assert.equal(nested.message, 'request.uid is required');
  });

  it('shows the value of a nested field', () => {
    const error = toFurnaceError(
      {
        validation: [{ keyword: 'minLength', instancePath: '/request/uid', message: 'must not be empty' }],
      },
      { body: { request: { uid: '' } }, params: {}, query: {} },
    );
    assert.equal(error.message, 'request.uid "" is invalid: must not be empty');
  });

  it('maps framework statuses to codes and hides internal errors', () => {
    assert.equal(toFurnaceError({ statusCode: 415, message: 'nope' }, request).status, 415);
    assert.equal(toFurnaceError({ statusCode: 413, message: 'big' }, request).code, 'ERR_PAYLOAD_TOO_LARGE');
    assert.equal(toFurnaceError({ statusCode: 405, message: 'x' }, request).status, 400);
    const internal = toFurnaceError(new Error('secret path /etc/x'), request);
    assert.equal(internal.status, 500);
    assert.doesNotMatch(internal.message, /secret/);
  });
});

describe('credentials', () => {
  it('reads a bearer token and nothing else', () => {
    assert.equal(readBearer({ authorization: 'Bearer abc.def' }), 'abc.def');
    assert.equal(readBearer({ authorization: 'bearer  abc ' }), 'abc');
    assert.equal(readBearer({ authorization: 'Basic abc' }), undefined);
    assert.equal(readBearer({ authorization: 'Bearer a b' }), undefined);
    assert.equal(readBearer({}), undefined);
  });

  it('compares secrets of any length', () => {
    assert.equal(sameSecret('abc', 'abc'), true);
    assert.equal(sameSecret('abc', 'abd'), false);
    assert.equal(sameSecret('abc', 'abcd'), false);
  });
});
