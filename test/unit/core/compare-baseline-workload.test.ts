// The workload a baseline is pinned to (core/compare/baseline-workload.ts): the name a pin is proposed from a
// pod's, which pods belong to a pinned workload, and the names the server's schema takes (the UI checks
// them before it asks).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BASELINE_KINDS,
  isBaselineWorkload,
  isPodOf,
  podStem,
  workloadNameOf,
} from '../../../core/compare/baseline-workload.ts';

describe('a baseline workload', () => {
  it("is proposed from the pod's name as each kind's controller names pods", () => {
    assert.equal(workloadNameOf('web-7d9f8c6b5-x2k4q', 'deployment'), 'web');
    assert.equal(workloadNameOf('checkout-api-5f6b7c8d9-abcde', 'deployment'), 'checkout-api');
    assert.equal(workloadNameOf('db-0', 'statefulset'), 'db');
    assert.equal(workloadNameOf('node-exporter-x2k4q', 'daemonset'), 'node-exporter');
    assert.equal(workloadNameOf('web-3-x2k4q', 'deploymentconfig'), 'web');
    assert.equal(workloadNameOf('vm', 'deployment'), 'vm');
  });

  it('has as pods those named by its kind, and no pod of a longer name', () => {
    assert.ok(isPodOf('node-exporter-x2k4q', 'daemonset/node-exporter'));
    assert.ok(isPodOf('web-7d9f8c6b5-x2k4q', 'deployment/web'));
    assert.ok(isPodOf('web-12', 'statefulset/web'));
    assert.ok(isPodOf('web', 'deployment/web'));
    assert.ok(!isPodOf('web-api-7d9f8c6b5-x2k4q', 'deployment/web'));
    assert.ok(!isPodOf('webshop-x2k4q', 'daemonset/web'));
    assert.ok(!isPodOf('web-x2k4q', 'statefulset/web'));
    // A kind the watch does not follow: the pod's name without the usual suffixes.
    assert.ok(isPodOf('web-7d9f8c6b5-x2k4q', 'replicaset/web'));
    assert.equal(podStem('node-exporter-x2k4q'), 'node', 'without a kind, the guess is ambiguous');
  });

  it('takes <kind>/<name> of a lower-case DNS name for each kind a watch follows', () => {
    for (const kind of BASELINE_KINDS) assert.ok(isBaselineWorkload(`${kind}/web`), kind);
    assert.ok(isBaselineWorkload('deployment/web.v2-a'));
    assert.ok(isBaselineWorkload(`deployment/${'a'.repeat(253)}`));
  });

  it('refuses upper case, underscores, a missing kind or name, and more than 320 characters', () => {
    const refused = ['deployment/Web', 'deployment/web_app', 'web', '/web', 'deployment/', 'Deployment/web'];
    for (const workload of refused) assert.equal(isBaselineWorkload(workload), false, workload);
    assert.equal(isBaselineWorkload(`${'k'.repeat(60)}/${'a'.repeat(260)}`), false);
  });
});
