import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../core/limits.ts';
import { decideStart, type StartInput } from '../../server/start-decision.ts';

function input(overrides: Partial<StartInput> = {}): StartInput {
  return {
    namespace: 'shop',
    body: Buffer.from('{"durationSeconds": 10}'),
    limits: { ...DEFAULT_LIMITS, maxConcurrentPerNamespace: 2, maxConcurrentPerCluster: 3 },
    runningInNamespace: 0,
    runningInCluster: 0,
    ...overrides,
  };
}

describe('decideStart', () => {
  it('allows a valid start with room left and returns the parameters with defaults', () => {
    const decision = decideStart(input());
    assert.ok(decision.allowed);
    assert.equal(decision.params.durationSeconds, 10);
    assert.equal(decision.params.frequency, 99);
  });

  it('takes an empty body as all defaults', () => {
    const decision = decideStart(input({ body: undefined }));
    assert.ok(decision.allowed);
    assert.equal(decision.params.durationSeconds, 30);
  });

  it('says why it refuses: bad JSON, bad parameters, a busy namespace, a busy cluster', () => {
    const cases: [Partial<StartInput>, string, string][] = [
      [{ body: Buffer.from('{nope') }, 'invalid-body', 'body'],
      [{ body: Buffer.from('{"durationSeconds": 100000}') }, 'invalid-parameters', 'durationSeconds'],
      [{ body: Buffer.from('{"extra": 1}') }, 'invalid-parameters', 'extra'],
      [{ runningInNamespace: 2, runningInCluster: 2 }, 'namespace-busy', 'maxConcurrentPerNamespace'],
      [{ runningInNamespace: 1, runningInCluster: 3 }, 'cluster-busy', 'maxConcurrentPerCluster'],
    ];
    for (const [overrides, reason, field] of cases) {
      const decision = decideStart(input(overrides));
      assert.ok(!decision.allowed, reason);
      assert.equal(decision.reason, reason);
      assert.equal(decision.error.details.field, field);
      assert.equal(decision.error.status, 400);
    }
  });
});
