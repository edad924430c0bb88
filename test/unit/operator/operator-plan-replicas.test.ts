// The server Deployment for N replicas (operator/furnace/plan-replicas.ts): spec: {} stays one replica
// with Recreate and the catalog volume; several replicas (spec.replicas, or 2 by default with a bucket)
// roll, keep one pod through drains, spread over nodes, coordinate through Leases in their namespace
// with a Role for them, and drain on shutdown; several replicas without a bucket are refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  KubernetesObject,
  V1Deployment,
  V1DeploymentSpec,
  V1PodDisruptionBudget,
  V1Role,
  V1RoleBinding,
} from '@kubernetes/client-node';
import type { FurnaceSpec } from '../../../core/crd/resources.ts';
import { decideAcceptance } from '../../../operator/furnace/acceptance.ts';
import { serverReplicas } from '../../../operator/furnace/plan-replicas.ts';
import { findPlanned as find, furnaceOf, loadPlannedConfig, planWith } from '../../harness/furnace-plan.ts';

function plan(spec: FurnaceSpec): KubernetesObject[] {
  return planWith(furnaceOf(spec, 1), { optedInNamespaces: ['shop'] });
}

/** spec.storage.s3 is another branch's field: given as the API server would store it. */
const withBucket = (spec: FurnaceSpec = {}): FurnaceSpec => ({
  ...spec,
  storage: { s3: { endpoint: 'https://s3.example', bucket: 'furnace' } },
});

const kinds = (objects: KubernetesObject[]) => objects.map((o) => o.kind);

/** The preferred pod anti-affinity term of a Deployment's pods. */
function antiAffinityOf(spec: V1DeploymentSpec): unknown {
  const terms =
    spec.template.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  return terms?.[0]?.podAffinityTerm;
}

describe('server replicas in the plan', () => {
  it('keeps spec: {} one replica, Recreate, with its volume and nothing for coordination', async () => {
    const objects = plan({});
    const deployment = find<V1Deployment>(objects, 'Deployment', 'furnace');
    assert.equal(deployment.spec?.replicas, 1);
    assert.deepEqual(deployment.spec?.strategy, { type: 'Recreate' });
    assert.equal(deployment.spec?.template.spec?.affinity, undefined);
    assert.ok(kinds(objects).includes('PersistentVolumeClaim'));
    assert.ok(!kinds(objects).includes('PodDisruptionBudget'));
    assert.ok(!kinds(objects).includes('Role'));
    const config = await loadPlannedConfig(objects);
    assert.deepEqual(config.coordination, { mode: 'single' });
    assert.equal(config.drainSeconds, 0);
  });

  it('defaults to two replicas with a bucket, and takes spec.replicas', () => {
    assert.equal(serverReplicas({}), 1);
    assert.equal(serverReplicas(withBucket()), 2);
    assert.equal(serverReplicas(withBucket({ replicas: 3 })), 3);
    assert.equal(serverReplicas(withBucket({ replicas: 1 })), 1);
  });

  it('rolls several replicas one at a time, keeps one through drains and spreads them over nodes', () => {
    const objects = plan(withBucket({ replicas: 3 }));
    const spec = find<V1Deployment>(objects, 'Deployment', 'furnace').spec;
    assert.ok(spec);
    assert.equal(spec.replicas, 3);
    assert.deepEqual(spec.strategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    assert.deepEqual(antiAffinityOf(spec), {
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: spec.selector.matchLabels },
    });
    const budget = find<V1PodDisruptionBudget>(objects, 'PodDisruptionBudget', 'furnace');
    assert.deepEqual(budget.spec, { minAvailable: 1, selector: { matchLabels: spec.selector.matchLabels } });
  });

  it('gives several replicas no shared volume, and tells them to coordinate and drain', async () => {
    const objects = plan(withBucket({ replicas: 3 }));
    // The data directory is each replica's scratch.
    assert.ok(!kinds(objects).includes('PersistentVolumeClaim'));
    const volumes = find<V1Deployment>(objects, 'Deployment', 'furnace').spec?.template.spec?.volumes;
    assert.deepEqual(
      volumes?.find((v) => v.name === 'catalog'),
      { name: 'catalog', emptyDir: {} },
    );
    const config = await loadPlannedConfig(objects);
    assert.equal(config.coordination.mode === 'kubernetes' && config.coordination.namespace, 'furnace');
    assert.equal(config.drainSeconds, 5);
  });

  it('lets the server use Leases in its own namespace only', () => {
    const objects = plan(withBucket());
    const role = find<V1Role>(objects, 'Role', 'furnace-coordination');
    assert.deepEqual(
      role.rules?.map((r) => [r.apiGroups, r.resources]),
      [[['coordination.k8s.io'], ['leases']]],
    );
    const binding = find<V1RoleBinding>(objects, 'RoleBinding', 'furnace-coordination');
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'furnace', namespace: 'furnace' }]);
    assert.equal(binding.roleRef.name, 'furnace-coordination');
  });

  it('refuses several replicas without a bucket, naming the fields', () => {
    const decision = decideAcceptance(furnaceOf({ replicas: 2 }, 1), {
      namespace: 'furnace',
      allowImageOverrides: false,
    });
    assert.equal(decision.accepted, false);
    assert.equal(!decision.accepted && decision.reason, 'ReplicasNeedBucket');
    assert.match(!decision.accepted ? decision.message : '', /spec\.replicas is 2.*spec\.storage\.s3/);
  });
});
