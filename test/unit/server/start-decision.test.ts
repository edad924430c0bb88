import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import {
  decideStartParams,
  decideStartSlot,
  type ParamsInput,
  type SlotInput,
} from '../../../server/proxy/start-decision.ts';

const limits = { ...DEFAULT_LIMITS, maxConcurrentPerNamespace: 2, maxConcurrentPerCluster: 3 };

function params(overrides: Partial<ParamsInput> = {}): ParamsInput {
  return { body: Buffer.from('{"durationSeconds": 10}'), limits, allowSystemWide: false, ...overrides };
}

function slot(overrides: Partial<SlotInput> = {}): SlotInput {
  return { namespace: 'shop', limits, runningInNamespace: 0, runningInCluster: 0, ...overrides };
}

describe('decideStartParams and decideStartSlot', () => {
  it('allows a valid start with room left and returns the parameters with defaults', () => {
    const decision = decideStartParams(params());
    assert.ok(decision.allowed);
    assert.equal(decision.params.durationSeconds, 10);
    assert.equal(decision.params.frequency, 99);
    assert.deepEqual(decideStartSlot(slot({ runningInNamespace: 1, runningInCluster: 2 })), {
      allowed: true,
    });
  });

  it('takes a start asked ahead (startAt) up to 600 s, and refuses one further ahead naming the field and the limit', () => {
    const at = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
    const startAt = at(60);
    const ahead = decideStartParams(params({ body: Buffer.from(JSON.stringify({ startAt })) }));
    assert.ok(ahead.allowed);
    assert.equal(ahead.params.startAt, startAt, 'passed on to the recorder as asked');
    const far = decideStartParams(params({ body: Buffer.from(JSON.stringify({ startAt: at(601) })) }));
    assert.ok(!far.allowed);
    assert.equal(far.reason, 'invalid-parameters');
    assert.equal(far.error.status, 400);
    assert.equal(far.error.details.field, 'startAt');
    assert.match(far.error.message, /MAX_START_AHEAD_SECONDS \(600 s\)/);
  });

  it('takes an empty body as all defaults', () => {
    const decision = decideStartParams(params({ body: undefined }));
    assert.ok(decision.allowed);
    assert.equal(decision.params.durationSeconds, 30);
  });

  it('refuses systemWide unless the server setting allows it, naming the setting', () => {
    const body = Buffer.from('{"systemWide": true}');
    const refused = decideStartParams(params({ body }));
    assert.ok(!refused.allowed);
    assert.equal(refused.reason, 'system-wide-disabled');
    assert.equal(refused.error.status, 400);
    assert.equal(refused.error.details.setting, 'recording.allowSystemWide');
    assert.match(refused.error.message, /recording\.allowSystemWide/);
    const allowed = decideStartParams(params({ body, allowSystemWide: true }));
    assert.ok(allowed.allowed && allowed.params.systemWide);
  });

  it('says why it refuses: bad JSON, bad parameters, a busy namespace, a busy cluster', () => {
    const cases: [ReturnType<typeof decideStartSlot>, string, string][] = [
      [decideStartParams(params({ body: Buffer.from('{nope') })), 'invalid-body', 'body'],
      [
        decideStartParams(params({ body: Buffer.from('{"durationSeconds": 100000}') })),
        'invalid-parameters',
        'durationSeconds',
      ],
      [decideStartParams(params({ body: Buffer.from('{"extra": 1}') })), 'invalid-parameters', 'extra'],
      [
        decideStartSlot(slot({ runningInNamespace: 2, runningInCluster: 2 })),
        'namespace-busy',
        'maxConcurrentPerNamespace',
      ],
      [
        decideStartSlot(slot({ runningInNamespace: 1, runningInCluster: 3 })),
        'cluster-busy',
        'maxConcurrentPerCluster',
      ],
    ];
    for (const [decision, reason, field] of cases) {
      assert.ok(!decision.allowed, reason);
      assert.equal(decision.reason, reason);
      assert.equal(decision.error.details.field, field);
      assert.equal(decision.error.status, 400);
    }
  });
});
