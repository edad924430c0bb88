// The check of who creates a continuous Recording, as the operator plans it: a ValidatingAdmissionPolicy
// and its binding, which the API server evaluates itself (the kube tier runs them:
// test/kube/operator-continuous-recording.test.ts), and the upgrade from the webhook they replaced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  KubernetesObject,
  V1ValidatingAdmissionPolicy,
  V1ValidatingAdmissionPolicyBinding,
} from '@kubernetes/client-node';
import {
  CONTINUOUS_AUTHORIZATION,
  CONTINUOUS_MATCH_CONDITION,
  CONTINUOUS_REFUSAL,
} from '../../../core/crd/recording-admission.ts';
import { plannedResources } from '../../../operator/furnace/plan.ts';
import { selects } from '../../../operator/resources.ts';
import { findPlanned as find, furnaceOf, planWith } from '../../harness/furnace-plan.ts';

function plan(): KubernetesObject[] {
  return planWith(furnaceOf({}, 3), { optedInNamespaces: ['shop'] });
}

describe('Furnace plan: the admission policy of continuous Recordings (pure)', () => {
  it('checks who creates a continuous Recording in the API server itself: a policy on the request’s user, failing closed, for those only, bound with Deny', () => {
    const objects = plan();
    // Every namespace (Recordings are not opted in): no namespaceSelector.
    assert.deepEqual(find<V1ValidatingAdmissionPolicy>(objects, 'ValidatingAdmissionPolicy').spec, {
      failurePolicy: 'Fail',
      matchConstraints: {
        matchPolicy: 'Equivalent',
        resourceRules: [
          {
            apiGroups: ['furnace.hyperfoil.io'],
            apiVersions: ['v1alpha1'],
            operations: ['CREATE'],
            resources: ['recordings'],
            scope: 'Namespaced',
          },
        ],
      },
      matchConditions: [CONTINUOUS_MATCH_CONDITION],
      validations: [
        { expression: CONTINUOUS_AUTHORIZATION, messageExpression: CONTINUOUS_REFUSAL, reason: 'Forbidden' },
      ],
    });
    assert.equal(
      CONTINUOUS_AUTHORIZATION,
      'authorizer.group("furnace.hyperfoil.io").resource("recordings").subresource("continuous").namespace(request.namespace).check("create").allowed()',
    );
    const binding = find<V1ValidatingAdmissionPolicyBinding>(objects, 'ValidatingAdmissionPolicyBinding');
    assert.deepEqual(binding.spec, { policyName: 'furnace-recordings', validationActions: ['Deny'] });
  });

  it('deletes the ValidatingWebhookConfiguration the policy replaced when it upgrades an install (it looks for it, and never plans it)', () => {
    const legacy = { kind: 'ValidatingWebhookConfiguration', metadata: { name: 'furnace-recordings' } };
    assert.ok(plannedResources('furnace').some((r) => selects(r, legacy)));
    assert.ok(!plan().some((o) => o.kind === 'ValidatingWebhookConfiguration'));
  });
});
