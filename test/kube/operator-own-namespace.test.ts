// One Furnace per cluster, installed by an operator that holds only its own rights: the operator runs as a
// local process with a token of its own service account, bound to exactly the roles deploy/ generates
// for it (moved to a run namespace), against the real API server, RBAC and controller manager. Creating a
// Furnace equals cluster-admin (a webhook on every opted-in pod, a root DaemonSet on every node), so a
// Furnace anywhere but the operator's own namespace is left alone with a condition saying why, and image
// overrides wait for the operator's own configuration to allow them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { TEST_RUN_LABEL } from '../../core/contract/names.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, OWNER_LABEL } from '../../operator/apply.ts';
import { DEFAULT_IMAGES, type Furnace } from '../../core/crd/resources.ts';
import { buildOperatorRbac, buildOperatorServiceAccount } from '../../deploy/manifests/operator-rbac.ts';
import { createNamespace, createServiceAccountToken, RUN_ID, useCluster } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';
import { writeKubeconfig } from '../harness/kubeconfig-files.ts';
import { workDir } from '../harness/temp-dirs.ts';
import {
  applyFurnace,
  conditionOf,
  createScopedNamespace,
  deleteFurnace,
  getFurnace,
  getJson,
  installCrds,
  listJson,
  MANAGED,
  scoped,
  startOperator,
  waitForFurnace,
} from './operator-fixture.ts';

const { cp, kc } = await useCluster();

before(() => installCrds(cp));

interface RbacDocument extends KubernetesObject {
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

/**
 * The operator's ServiceAccount and every role and binding deploy/ generates for it, moved from namespace
 * `furnace` to `namespace` (cluster-scoped ones renamed for the run); answers a kubeconfig with a token
 * of that service account.
 */
async function installOperatorRights(namespace: string, dir: string): Promise<string> {
  const rename = (name: string) => `${name}-${RUN_ID}-${namespace}`;
  const docs = [buildOperatorServiceAccount(), ...buildOperatorRbac()] as RbacDocument[];
  const moved = docs.map((doc): RbacDocument => {
    const clusterScoped = doc.metadata?.namespace === undefined;
    return {
      ...doc,
      metadata: {
        ...doc.metadata,
        name: clusterScoped ? rename(doc.metadata?.name ?? '') : doc.metadata?.name,
        ...(clusterScoped ? {} : { namespace }),
        labels: { ...doc.metadata?.labels, [TEST_RUN_LABEL]: RUN_ID },
      },
      ...(doc.roleRef?.kind === 'ClusterRole'
        ? { roleRef: { ...doc.roleRef, name: rename(doc.roleRef.name) } }
        : {}),
      ...(doc.subjects ? { subjects: doc.subjects.map((s) => ({ ...s, namespace })) } : {}),
    };
  });
  const applied = await cp.kubectl(['apply', '-f', '-'], {
    input: moved.map((d) => stringify(d)).join('---\n'),
  });
  assert.equal(applied.code, 0, applied.stderr);
  const token = await createServiceAccountToken(kc, { namespace, serviceAccount: 'furnace-operator' });
  return writeKubeconfig(cp, join(dir, 'operator.kubeconfig'), { token });
}

/** Every object labelled for the Furnace with this uid, of every kind the operator makes, anywhere. */
async function madeFor(uid: string): Promise<string[]> {
  const kinds = [
    'serviceaccounts,secrets,configmaps,services,persistentvolumeclaims,deployments.apps,daemonsets.apps,networkpolicies.networking.k8s.io,ingresses.networking.k8s.io',
    'clusterroles.rbac.authorization.k8s.io,clusterrolebindings.rbac.authorization.k8s.io,mutatingwebhookconfigurations.admissionregistration.k8s.io,validatingwebhookconfigurations.admissionregistration.k8s.io,validatingadmissionpolicies.admissionregistration.k8s.io,validatingadmissionpolicybindings.admissionregistration.k8s.io,apiservices.apiregistration.k8s.io',
  ];
  const selector = `${MANAGED},furnace.hyperfoil.io/owner-uid=${uid}`;
  const lists = await Promise.all(kinds.map((k) => listJson(cp, [k, '-A', '-l', selector])));
  return lists
    .flat()
    .filter((o) => !o.metadata?.deletionTimestamp)
    .map((o) => `${o.kind ?? ''}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`);
}

/**
 * The ValidatingWebhookConfiguration an operator before the admission policy made for the Furnace `uid`
 * (labelled as it labelled it); it sends nothing anywhere (no namespace has the label it selects).
 */
async function createLegacyRecordingWebhook(uid: string): Promise<void> {
  const legacy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: {
      name: 'furnace-recordings',
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [OWNER_LABEL]: uid, [TEST_RUN_LABEL]: RUN_ID },
    },
    webhooks: [
      {
        name: 'continuous.recordings.furnace.hyperfoil.io',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: 'Fail',
        clientConfig: { url: 'https://127.0.0.1:1/validate-recording' },
        rules: [
          {
            apiGroups: ['furnace.hyperfoil.io'],
            apiVersions: ['v1alpha1'],
            operations: ['CREATE'],
            resources: ['recordings'],
          },
        ],
        namespaceSelector: { matchLabels: { [`furnace-legacy-${RUN_ID}`]: 'none' } },
      },
    ],
  };
  const created = await cp.kubectl(['create', '-f', '-'], { input: stringify(legacy) });
  assert.equal(created.code, 0, created.stderr);
}

/** The Furnace once its Accepted condition is False with `reason`. */
function refusedWith(namespace: string, name: string, reason: string): Promise<Furnace> {
  return eventually(
    async () => {
      const furnace = await getFurnace(cp, namespace, name);
      const accepted = conditionOf(furnace, 'Accepted');
      return accepted?.status === 'False' && accepted.reason === reason ? furnace : undefined;
    },
    30_000,
    `Furnace ${namespace}/${name} refused with reason ${reason}`,
    250,
  );
}

/** `kubectl auth can-i` as the operator: true for yes. */
async function operatorMay(kubeconfig: string, args: string[]): Promise<boolean> {
  const answer = await cp.kubectl(['--kubeconfig', kubeconfig, 'auth', 'can-i', ...args]);
  assert.ok(answer.code === 0 || answer.code === 1, answer.stderr);
  return answer.code === 0;
}

describe('one Furnace per cluster, installed by an operator that holds only its own rights', () => {
  it('acts on the Furnace of its own namespace only, with the roles deploy/ generates for it', async (t) => {
    const scope = randomBytes(4).toString('hex');
    const dir = await workDir(t, 'operator-own-namespace');
    const namespace = await createNamespace(kc, { prefix: 'op' });
    const app = await createScopedNamespace(kc, scope, 'app');
    const tenant = await createScopedNamespace(kc, scope, 'tenant');
    const kubeconfig = await installOperatorRights(namespace, dir);
    // Removed while the operator still runs (t.after hooks run in the order they were added).
    t.after(() => deleteFurnace(cp, tenant));
    t.after(() => deleteFurnace(cp, namespace, 'second'));
    startOperator(t, cp, namespace, { KUBECONFIG: kubeconfig, FURNACE_OPERATOR_NAMESPACE: namespace });
    await applyFurnace(cp, namespace, scoped(scope));
    await applyFurnace(cp, tenant, scoped(scope));
    await applyFurnace(cp, namespace, scoped(scope), 'second');

    await t.test(
      'installs spec: {} in its own namespace: webhook, certificate and the CA for opted-in namespaces',
      async () => {
        const furnace = await waitForFurnace(
          cp,
          namespace,
          (f) =>
            conditionOf(f, 'WebhookReady')?.status === 'True' &&
            conditionOf(f, 'CertificateReady')?.status === 'True',
          'the webhook configuration and the certificate',
          90_000,
        );
        assert.equal(conditionOf(furnace, 'Accepted')?.status, 'True');
        const made = await madeFor(furnace.metadata.uid ?? '');
        for (const expected of [
          'MutatingWebhookConfiguration//furnace',
          'ValidatingAdmissionPolicy//furnace-recordings',
          'ValidatingAdmissionPolicyBinding//furnace-recordings',
          'ClusterRole//furnace-server',
          'ClusterRoleBinding//furnace-server',
          `ConfigMap/${app}/furnace-server-ca`,
          `Deployment/${namespace}/furnace`,
          `Secret/${namespace}/furnace-tls`,
        ])
          assert.ok(made.includes(expected), `${expected} in ${made.join(', ')}`);
      },
    );

    await t.test(
      'deletes the ValidatingWebhookConfiguration furnace-recordings it made before the admission policy replaced it',
      async () => {
        const uid = (await getFurnace(cp, namespace, 'furnace'))?.metadata.uid ?? '';
        await createLegacyRecordingWebhook(uid);
        await eventually(
          async () =>
            (await getJson(cp, ['validatingwebhookconfiguration', 'furnace-recordings'])) ? undefined : true,
          30_000,
          'the operator to delete the webhook configuration of an earlier version',
        );
        assert.ok((await madeFor(uid)).includes('ValidatingAdmissionPolicy//furnace-recordings'));
      },
    );

    await t.test(
      "leaves a Furnace in a tenant's namespace alone: a condition says why, and nothing is made for it",
      async () => {
        const refused = await refusedWith(tenant, 'furnace', 'OutsideOperatorNamespace');
        assert.match(
          conditionOf(refused, 'Accepted')?.message ?? '',
          new RegExp(`acts only on the Furnace ${namespace}/furnace`),
        );
        assert.equal(conditionOf(refused, 'Ready')?.status, 'False');
        assert.deepEqual(refused.metadata.finalizers ?? [], [], 'no finalizer: nothing to clean up');
        assert.deepEqual(await madeFor(refused.metadata.uid ?? ''), []);
      },
    );

    await t.test(
      'leaves a second Furnace in its own namespace alone, saying which one it acts on',
      async () => {
        const refused = await refusedWith(namespace, 'second', 'NotTheClusterFurnace');
        assert.match(
          conditionOf(refused, 'Accepted')?.message ?? '',
          new RegExp(`acts only on the Furnace ${namespace}/furnace`),
        );
        assert.deepEqual(await madeFor(refused.metadata.uid ?? ''), []);
      },
    );

    await t.test(
      'refuses image overrides in spec.images, applying nothing, unless its own configuration allows them',
      async () => {
        await applyFurnace(
          cp,
          namespace,
          scoped(scope, { images: { server: 'registry.example/not-furnace:1' } }),
        );
        const refused = await refusedWith(namespace, 'furnace', 'ImageOverridesRefused');
        assert.match(
          conditionOf(refused, 'Accepted')?.message ?? '',
          /FURNACE_OPERATOR_ALLOW_IMAGE_OVERRIDES/,
        );
        const deployment = await getJson<V1Deployment>(cp, ['deployment', 'furnace', '-n', namespace]);
        assert.equal(deployment?.spec?.template.spec?.containers[0]?.image, DEFAULT_IMAGES.server);
      },
    );

    await t.test('refuses several server replicas without a bucket, applying nothing new', async () => {
      await applyFurnace(cp, namespace, scoped(scope, { replicas: 2 }));
      const refused = await refusedWith(namespace, 'furnace', 'ReplicasNeedBucket');
      assert.match(conditionOf(refused, 'Accepted')?.message ?? '', /spec\.storage\.s3/);
      const deployment = await getJson<V1Deployment>(cp, ['deployment', 'furnace', '-n', namespace]);
      assert.equal(deployment?.spec?.replicas, 1);
    });

    await t.test(
      'may not read Secrets or change workloads outside its namespace, nor cluster objects other than its own',
      async () => {
        const refused: string[][] = [
          ['get', 'secrets', '-n', 'kube-system'],
          ['list', 'secrets', '-A'],
          ['create', 'deployments.apps', '-n', tenant],
          ['create', 'daemonsets.apps', '-n', 'kube-system'],
          ['patch', 'configmaps/coredns', '-n', 'kube-system'],
          ['create', 'serviceaccounts', '-n', tenant],
          ['create', 'rolebindings', '-n', tenant],
          ['patch', 'mutatingwebhookconfigurations/another-webhook'],
          ['patch', 'validatingadmissionpolicies/another-policy'],
          ['delete', 'validatingadmissionpolicybindings/another-binding'],
          // The webhook the policy replaced: it may only remove it.
          ['patch', 'validatingwebhookconfigurations/furnace-recordings'],
          ['delete', 'validatingwebhookconfigurations/another-webhook'],
          ['delete', 'apiservices/v1.apps'],
          ['update', 'clusterroles/admin'],
          ['create', 'clusterrolebindings/cluster-admin-for-me'],
          ['update', `furnaces.furnace.hyperfoil.io/furnace`, '-n', tenant],
        ];
        for (const args of refused) assert.equal(await operatorMay(kubeconfig, args), false, args.join(' '));
        const granted: string[][] = [
          ['get', 'secrets', '-n', namespace],
          ['patch', 'deployments.apps/furnace', '-n', namespace],
          ['patch', 'mutatingwebhookconfigurations/furnace'],
          ['patch', 'validatingadmissionpolicies/furnace-recordings'],
          ['patch', 'validatingadmissionpolicybindings/furnace-recordings'],
          ['delete', 'validatingwebhookconfigurations/furnace-recordings'],
          ['patch', `configmaps/furnace-server-ca`, '-n', app],
          ['list', 'pods', '-A'],
          ['list', 'recordings.furnace.hyperfoil.io', '-A'],
          // Its leader election, and what it grants the server's replicas in its namespace.
          ['create', 'leases.coordination.k8s.io', '-n', namespace],
          ['create', 'rolebindings', '-n', namespace],
          ['create', 'poddisruptionbudgets.policy', '-n', namespace],
        ];
        for (const args of granted) assert.equal(await operatorMay(kubeconfig, args), true, args.join(' '));
      },
    );
  });
});
