// The Furnace controller as the operator runs it (createFurnaceController through reconcileKey): when the
// API server refuses what the Furnace's spec plans with 422 Invalid, the Furnace's status says so (Accepted
// and Ready False, reason InvalidSpec, the API server's words) and the key is not retried. The API server is
// a fake at its boundary: nothing stored yet, and every object applied refused with 422.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Condition, Furnace, FurnaceStatus } from '../../../core/crd/resources.ts';
import { KubeRequestError } from '../../../kube/kube-request.ts';
import type { Applier } from '../../../operator/apply.ts';
import { FURNACE_FINALIZER } from '../../../operator/furnace/furnace-deletion.ts';
import { createFurnaceController } from '../../../operator/furnace/furnace-controller.ts';
import type { ObjectKey, WatchedResource } from '../../../operator/resources.ts';
import { reconcileKey } from '../../../operator/run-controller.ts';

const REFUSAL = 'spec.template.spec.containers[0].image: Invalid value: "": must not be empty';

/**
 * An API server that holds nothing yet (reads answer empty or 404) and refuses every object applied as
 * invalid; it keeps the status patches it was sent.
 */
function refusingApiServer() {
  const patches: { kind: string; key: ObjectKey; status: FurnaceStatus }[] = [];
  const applied: string[] = [];
  const applier: Applier = {
    apply: (object) => {
      applied.push(`${object.kind}/${object.metadata?.name}`);
      const refusal = { status: 422, body: { message: REFUSAL } };
      return Promise.reject(new KubeRequestError(`apply ${object.kind}`, refusal));
    },
    get: () => Promise.resolve(undefined),
    list: () => Promise.resolve([]),
    delete: () => Promise.resolve(false),
    prune: () => Promise.resolve([]),
    setFinalizers: () => Promise.resolve(),
    patchStatus: (resource: WatchedResource, key, status) => {
      patches.push({ kind: resource.kind, key, status });
      return Promise.resolve();
    },
  };
  return { applier, patches, applied, request: () => Promise.resolve({ status: 404, body: {} }) };
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('the Furnace controller and a spec the API server refuses', () => {
  it('says InvalidSpec in the status with the API server’s words, and does not retry', async () => {
    const { applier, patches, applied, request } = refusingApiServer();
    const controller = createFurnaceController({
      kubeConfig: new KubeConfig(),
      namespace: 'furnace',
      applier,
      request,
      log: quiet,
      env: { FURNACE_OPERATOR_PLATFORM: 'kubernetes' },
      now: () => Date.parse('2026-03-01T12:00:00Z'),
    });
    const furnace: Furnace = {
      apiVersion: 'furnace.hyperfoil.io/v1alpha1',
      kind: 'Furnace',
      metadata: { namespace: 'furnace', name: 'furnace', generation: 3, finalizers: [FURNACE_FINALIZER] },
      spec: {},
    };
    const key = { namespace: 'furnace', name: 'furnace' };
    const requeue = await reconcileKey(controller, key, furnace as unknown as KubernetesObject, quiet);
    assert.equal(requeue, undefined, 'no requeue, and no throw for the queue to retry');
    assert.equal(
      applied.length,
      1,
      `one object applied, refused, and nothing after it: ${applied.join(', ')}`,
    );
    assert.equal(patches.length, 1, 'one status patch');
    const [patch] = patches;
    assert.equal(patch?.kind, 'Furnace');
    assert.deepEqual(patch?.key, key);
    assert.equal(patch?.status.observedGeneration, 3);
    for (const name of ['Accepted', 'Ready']) {
      const condition: Condition | undefined = patch?.status.conditions?.find((c) => c.type === name);
      assert.equal(condition?.status, 'False', `${name} is False`);
      assert.equal(condition?.reason, 'InvalidSpec');
      assert.match(condition?.message ?? '', /must not be empty/);
    }
  });
});
