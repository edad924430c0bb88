// A Recording's spec.profile: in the CRD's schema with the contract's types, refused with continuous
// profiling, and sent to the server by the operator only when set (servers from before take it as cpu).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROFILE_TYPES } from '../../../core/contract/profile-types.ts';
import { recordingSpecSchema } from '../../../core/crd/recording-crd.ts';
import { startBody } from '../../../operator/recording/reconcile.ts';

describe("a Recording's profile type", () => {
  it('is sent to the server when the spec sets it, and left out otherwise', () => {
    const target = { pod: 'web-0' };
    assert.deepEqual(startBody({ target, durationSeconds: 30, profile: 'offcpu' }), {
      durationSeconds: 30,
      profile: 'offcpu',
    });
    assert.deepEqual(startBody({ target, durationSeconds: 30 }), { durationSeconds: 30 });
  });

  it("is the contract's types in the CRD, and only cpu with continuous profiling", () => {
    const schema = recordingSpecSchema as unknown as {
      properties: Record<string, { enum?: readonly string[] }>;
      'x-kubernetes-validations': { rule: string; fieldPath: string }[];
    };
    assert.deepEqual(schema.properties.profile?.enum, PROFILE_TYPES);
    const rule = schema['x-kubernetes-validations'].find((r) => r.fieldPath === '.profile');
    assert.equal(rule?.rule, "!has(self.continuous) || !has(self.profile) || self.profile == 'cpu'");
  });
});
