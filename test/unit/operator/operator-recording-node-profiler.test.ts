// A Recording that asks for the `node` profiler (Node.js inspector): the CRD's schema takes it, and the
// operator's start asks the server for it, in a body the server's own validator accepts as `node`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROFILERS, validateRecordingParams } from '../../../core/contract/recording-params.ts';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import { recordingSpecSchema } from '../../../core/crd/recording-crd.ts';
import { startBody } from '../../../operator/recording/reconcile.ts';

const target = { pod: 'web-0' };
const schema = recordingSpecSchema as unknown as {
  properties: Record<string, { enum?: readonly string[] }>;
};

describe("a Recording's node profiler", () => {
  it("is among the CRD's profilers, and every one of them is a profiler the server knows", () => {
    const profilers = schema.properties.profiler?.enum ?? [];
    assert.ok(profilers.includes('node'), `profilers in the CRD: ${profilers.join(', ')}`);
    for (const profiler of profilers)
      assert.ok((PROFILERS as readonly string[]).includes(profiler), profiler);
    assert.equal(profilers.includes('bpftrace'), false, 'bpftrace needs its author’s permission');
  });

  it('is sent to the server, which takes it as a node recording', () => {
    const body = startBody({ target, durationSeconds: 20, profiler: 'node' });
    assert.deepEqual(body, { durationSeconds: 20, profiler: 'node' });
    assert.equal(validateRecordingParams(body, DEFAULT_LIMITS).profiler, 'node');
  });

  it("takes the heap profile with it, and the server accepts node's heap", () => {
    const body = startBody({ target, durationSeconds: 20, profiler: 'node', profile: 'heap' });
    assert.deepEqual(body, { durationSeconds: 20, profiler: 'node', profile: 'heap' });
    const params = validateRecordingParams(body, DEFAULT_LIMITS);
    assert.equal(params.profiler, 'node');
    assert.equal(params.profile, 'heap');
  });
});
