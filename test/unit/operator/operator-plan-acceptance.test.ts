// Which Furnace the operator acts on (operator/furnace/acceptance.ts), and the status of one it does not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_IMAGES, type Furnace, type FurnaceSpec } from '../../../core/crd/resources.ts';
import { decideAcceptance } from '../../../operator/furnace/acceptance.ts';
import { readFurnaceSettings } from '../../../operator/furnace/furnace-settings.ts';
import { refusedStatus } from '../../../operator/furnace/furnace-status.ts';

function furnace(namespace: string, name = 'furnace', spec: FurnaceSpec = {}): Furnace {
  return {
    apiVersion: 'furnace.hyperfoil.io/v1alpha1',
    kind: 'Furnace',
    metadata: { name, namespace, uid: 'uid-1', generation: 2 },
    spec,
  };
}

const scope = { namespace: 'furnace', allowImageOverrides: false };

describe('one Furnace per cluster (pure)', () => {
  it("acts on the Furnace named furnace in the operator's own namespace", () => {
    assert.deepEqual(decideAcceptance(furnace('furnace'), scope), { accepted: true });
    assert.deepEqual(decideAcceptance(furnace('platform'), { ...scope, namespace: 'platform' }), {
      accepted: true,
    });
  });

  it("refuses a Furnace in a tenant's namespace, saying which one it acts on and that a Furnace equals cluster-admin", () => {
    const decision = decideAcceptance(furnace('team-a'), scope);
    assert.equal(decision.accepted, false);
    assert.ok(!decision.accepted);
    assert.equal(decision.reason, 'OutsideOperatorNamespace');
    assert.match(decision.message, /acts only on the Furnace furnace\/furnace/);
    assert.match(decision.message, /equals cluster-admin/);
  });

  it('refuses a second Furnace in its own namespace', () => {
    const decision = decideAcceptance(furnace('furnace', 'second'), scope);
    assert.ok(!decision.accepted);
    assert.equal(decision.reason, 'NotTheClusterFurnace');
  });

  it('refuses image overrides unless FURNACE_OPERATOR_ALLOW_IMAGE_OVERRIDES is true, naming the fields', () => {
    const images = { server: 'registry.example/server:1', agent: 'registry.example/agent:1' };
    const overridden = furnace('furnace', 'furnace', { images });
    const decision = decideAcceptance(overridden, scope);
    assert.ok(!decision.accepted);
    assert.equal(decision.reason, 'ImageOverridesRefused');
    assert.match(decision.message, /^spec\.images\.server, spec\.images\.agent would replace/);
    assert.match(decision.message, /FURNACE_OPERATOR_ALLOW_IMAGE_OVERRIDES=true/);
    const allowed = readFurnaceSettings({
      FURNACE_OPERATOR_ALLOW_IMAGE_OVERRIDES: 'true',
    }).allowImageOverrides;
    assert.deepEqual(decideAcceptance(overridden, { ...scope, allowImageOverrides: allowed }), {
      accepted: true,
    });
    assert.equal(readFurnaceSettings({}).allowImageOverrides, false, 'off by default');
    assert.throws(() => readFurnaceSettings({ FURNACE_OPERATOR_ALLOW_IMAGE_OVERRIDES: 'yes please' }));
  });

  it("accepts spec.images that name the release's own images", () => {
    assert.deepEqual(
      decideAcceptance(furnace('furnace', 'furnace', { images: { ...DEFAULT_IMAGES } }), scope),
      {
        accepted: true,
      },
    );
  });

  it('writes Accepted and Ready False with the reason on a refused Furnace, keeping transition times', () => {
    const refusal = { generation: 2, reason: 'OutsideOperatorNamespace', message: 'why' };
    const first = refusedStatus(undefined, refusal, new Date('2026-03-01T12:00:00.123Z'));
    assert.deepEqual(first, {
      observedGeneration: 2,
      conditions: ['Accepted', 'Ready'].map((type) => ({
        type,
        status: 'False',
        reason: 'OutsideOperatorNamespace',
        message: 'why',
        observedGeneration: 2,
        lastTransitionTime: '2026-03-01T12:00:00Z',
      })),
    });
    const again = refusedStatus(first, refusal, new Date('2026-03-01T13:00:00Z'));
    assert.deepEqual(again, first);
  });
});
