// The start a Recording's spec asks of the server: the fields it sets, and nothing for those it leaves to
// the server's defaults (callGraph among them: auto).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateRecordingParams } from '../../../core/contract/recording-params.ts';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import { startBody } from '../../../operator/recording/reconcile.ts';

const target = { pod: 'web-0' };

describe("a Recording's start body", () => {
  it('passes callGraph when the spec sets it, and leaves it to the server otherwise', () => {
    for (const callGraph of ['auto', 'fp', 'dwarf'] as const) {
      const body = startBody({ target, durationSeconds: 10, callGraph });
      assert.equal(body.callGraph, callGraph);
      assert.equal(validateRecordingParams(body, DEFAULT_LIMITS).callGraph, callGraph, 'the server takes it');
    }
    const unset = startBody({ target, durationSeconds: 10 });
    assert.equal('callGraph' in unset, false);
    assert.equal(validateRecordingParams(unset, DEFAULT_LIMITS).callGraph, 'auto');
  });
});
