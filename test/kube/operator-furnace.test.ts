// The Furnace reconcile against a real API server and controller manager, with the operator run as a
// local process: what `spec: {}` creates, convergence on a spec change, and the order of deletion.
import assert from 'node:assert/strict';
import { API_SERVICE_NAME } from '../../core/contract/aggregated-api.ts';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import type {
  KubernetesObject,
  V1ConfigMap,
  V1Deployment,
  V1MutatingWebhookConfiguration,
  V1Secret,
} from '@kubernetes/client-node';
import { Watch } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { SERVER_CA_CONFIG_MAP, SERVER_CA_KEY } from '../../core/contract/names.ts';
import { randomBytes } from 'node:crypto';
import { createNamespace } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';
import {
  applyFurnace,
  conditionOf,
  createScopedNamespace,
  getJson,
  listJson,
  MANAGED,
  scoped,
  secretText,
  startOperator,
  useOperatorCluster,
  waitForFurnace,
  waitForServerCa,
  waitForWebhookReady,
} from './operator-fixture.ts';

const { cp, kc } = await useOperatorCluster();

const identity = (o: KubernetesObject) =>
  `${o.kind ?? ''}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? ''}`;

/** Every object labelled for this Furnace, of the kinds the operator makes. */
async function madeFor(uid: string): Promise<KubernetesObject[]> {
  const kinds = [
    'serviceaccounts,secrets,configmaps,services,persistentvolumeclaims,deployments.apps,networkpolicies.networking.k8s.io,ingresses.networking.k8s.io',
    'clusterroles.rbac.authorization.k8s.io,clusterrolebindings.rbac.authorization.k8s.io,mutatingwebhookconfigurations.admissionregistration.k8s.io,validatingwebhookconfigurations.admissionregistration.k8s.io,validatingadmissionpolicies.admissionregistration.k8s.io,validatingadmissionpolicybindings.admissionregistration.k8s.io,apiservices.apiregistration.k8s.io',
  ];
  const selector = `${MANAGED},furnace.hyperfoil.io/owner-uid=${uid}`;
  const lists = await Promise.all(kinds.map((k) => listJson(cp, [k, '-A', '-l', selector])));
  // Terminating counts as gone: no pvc-protection controller runs here to release the claim.
  return lists.flat().filter((o) => !o.metadata?.deletionTimestamp);
}

/** The aggregated API (kubectl furnace) points at the user Service and trusts the same CA as the webhook. */
function assertApiService(made: KubernetesObject[], namespace: string): void {
  const apiService = made.find((o) => o.kind === 'APIService') as unknown as {
    spec: { caBundle?: string; service?: { namespace?: string; name?: string; port?: number } };
  };
  const webhookConfiguration = made.find((o) => o.kind === 'MutatingWebhookConfiguration') as unknown as {
    webhooks: { clientConfig: { caBundle?: string } }[];
  };
  assert.equal(
    apiService.spec.caBundle,
    webhookConfiguration.webhooks[0]?.clientConfig.caBundle,
    'one CA for both',
  );
  assert.deepEqual(apiService.spec.service, {
    namespace,
    name: 'furnace-api',
    port: apiService.spec.service?.port,
  });
}

/** The webhook's caBundle is the CA that signs the serving certificate, which the sidecars' ConfigMap holds too. */
function assertTrustChain(made: KubernetesObject[], namespace: string, app: string): void {
  const tls = made.find((o) => identity(o) === `Secret/${namespace}/furnace-tls`) as V1Secret;
  const webhook = made.find(
    (o) => o.kind === 'MutatingWebhookConfiguration',
  ) as V1MutatingWebhookConfiguration;
  const caBundle = Buffer.from(webhook.webhooks?.[0]?.clientConfig.caBundle ?? '', 'base64').toString('utf8');
  const serving = new X509Certificate(secretText(tls, 'tls.crt'));
  const ca = new X509Certificate(caBundle);
  assert.ok(
    serving.checkIssued(ca) && serving.verify(ca.publicKey),
    'the caBundle CA signs the serving certificate',
  );
  assert.ok(serving.checkHost(`furnace.${namespace}.svc`), 'for the Service the webhook calls');
  assert.deepEqual(webhook.webhooks?.[0]?.clientConfig.service, {
    name: 'furnace',
    namespace,
    path: '/mutate',
    port: 8443,
  });
  const sidecarCa = made.find(
    (o) => identity(o) === `ConfigMap/${app}/${SERVER_CA_CONFIG_MAP}`,
  ) as V1ConfigMap;
  assert.equal(sidecarCa.data?.[SERVER_CA_KEY], caBundle);
}

/** What the changed spec of the convergence test asks for, as the cluster now holds it. */
async function assertConverged(namespace: string): Promise<void> {
  const data = (await getJson<V1ConfigMap>(cp, ['configmap', 'furnace-config', '-n', namespace]))?.data ?? {};
  const config = parse(data['config.yaml'] ?? '') as { limits: unknown; namespaceLimits: unknown };
  assert.deepEqual(config.limits, { maxDurationSeconds: 90 });
  assert.deepEqual(config.namespaceLimits, { shop: { maxFrequency: 19 } });
  const injection = parse(data['injection.yaml'] ?? '') as { image: string };
  assert.equal(injection.image, 'registry.example/furnace-sidecar:9');
  const ingress = await getJson<KubernetesObject & { spec: { rules: { host: string }[] } }>(cp, [
    'ingress',
    'furnace',
    '-n',
    namespace,
  ]);
  assert.equal(ingress?.spec.rules[0]?.host, 'furnace.example');
  const webhook = await getJson<V1MutatingWebhookConfiguration>(cp, [
    'mutatingwebhookconfiguration',
    'furnace',
  ]);
  assert.equal(webhook?.webhooks?.[0]?.failurePolicy, 'Fail');
  assert.equal(webhook?.webhooks?.[0]?.namespaceSelector?.matchLabels?.team, 'perf');
}

describe('Furnace reconcile (operator process, real API server and controller manager)', () => {
  it('makes every object for spec: {} (scoped to its namespaces by spec.webhook.namespaceSelector), with owner references, a caBundle of the CA that signs the serving certificate, and the CA in the opted-in namespaces the webhook selects', async (t) => {
    const scope = randomBytes(4).toString('hex');
    const namespace = await createNamespace(kc, { prefix: 'op' });
    const app = await createScopedNamespace(kc, scope, 'app');
    const outside = await createNamespace(kc, { enabled: true, prefix: 'out' });
    startOperator(t, cp, namespace);
    await applyFurnace(cp, namespace, scoped(scope));
    const furnace = await waitForWebhookReady(cp, namespace, 'the Furnace reconciled');
    const notSelected = await getJson(cp, ['configmap', SERVER_CA_CONFIG_MAP, '-n', outside]);
    assert.equal(notSelected, undefined, 'no CA ConfigMap where the webhook does not inject');
    const uid = furnace.metadata.uid ?? '';
    const made = await madeFor(uid);
    const expected = [
      `ServiceAccount/${namespace}/furnace`,
      `Secret/${namespace}/furnace-tls`,
      `Secret/${namespace}/furnace-ca`,
      // The key the server replicas share (operator/furnace/plan-shared-key.ts).
      `Secret/${namespace}/furnace-shared-key`,
      `ConfigMap/${namespace}/furnace-config`,
      // The API server has the aggregation layer: its request-header CA, copied for the server.
      `ConfigMap/${namespace}/furnace-request-header`,
      `ConfigMap/${app}/${SERVER_CA_CONFIG_MAP}`,
      `Service/${namespace}/furnace`,
      `Service/${namespace}/furnace-api`,
      `PersistentVolumeClaim/${namespace}/furnace-catalog`,
      `Deployment/${namespace}/furnace`,
      `NetworkPolicy/${namespace}/furnace`,
      'ClusterRole/furnace-server',
      'ClusterRoleBinding/furnace-server',
      'MutatingWebhookConfiguration/furnace',
      // Who may create a continuous Recording, checked by the API server (core/crd/recording-admission.ts).
      'ValidatingAdmissionPolicy/furnace-recordings',
      'ValidatingAdmissionPolicyBinding/furnace-recordings',
      `APIService/${API_SERVICE_NAME}`,
    ];
    assert.deepEqual(made.map(identity).sort(), [...expected].sort());
    assertApiService(made, namespace);
    for (const object of made.filter((o) => o.metadata?.namespace === namespace)) {
      assert.deepEqual(
        object.metadata?.ownerReferences?.map((o) => [o.kind, o.name, o.uid, o.controller]),
        [['Furnace', 'furnace', uid, true]],
        identity(object),
      );
    }

    assertTrustChain(made, namespace, app);

    assert.equal(conditionOf(furnace, 'CertificateReady')?.status, 'True');
    const ready = conditionOf(furnace, 'Ready');
    assert.equal(ready?.status, 'False', 'no server answers: no pod runs without a kubelet');
    assert.match(ready?.message ?? '', new RegExp(`https://furnace-api\\.${namespace}\\.svc:8080/readyz`));
    assert.equal(furnace.status?.url, `https://furnace-api.${namespace}.svc:8080`);

    // The controller manager turns the Deployment into a ReplicaSet and a pod of the server's image.
    const pods = await eventually(
      async () => {
        const found = await listJson(cp, [
          'pods',
          '-n',
          namespace,
          '-l',
          'app.kubernetes.io/component=server',
        ]);
        return found.length > 0 ? found : undefined;
      },
      30_000,
      "the server Deployment's pod",
    );
    assert.equal(pods[0]?.metadata?.ownerReferences?.[0]?.kind, 'ReplicaSet');

    // A namespace that opts in later gets the CA too.
    const caBundle = secretText(
      made.find((o) => identity(o) === `Secret/${namespace}/furnace-tls`),
      'ca.crt',
    );
    const late = await createScopedNamespace(kc, scope, 'late');
    await waitForServerCa(cp, late, caBundle, 'the CA ConfigMap in a namespace labelled after the Furnace');
  });

  it('converges on a spec change: config, images (with overrides allowed), Ingress on and off, webhook failure policy; and puts the objects back when someone deletes them', async (t) => {
    const scope = randomBytes(4).toString('hex');
    const namespace = await createNamespace(kc, { prefix: 'op' });
    startOperator(t, cp, namespace, { FURNACE_OPERATOR_ALLOW_IMAGE_OVERRIDES: 'true' });
    await applyFurnace(cp, namespace, scoped(scope));
    const first = await waitForWebhookReady(cp, namespace, 'reconciled');
    const hashOf = async () =>
      (await getJson<V1Deployment>(cp, ['deployment', 'furnace', '-n', namespace]))?.spec?.template.metadata
        ?.annotations?.['furnace.hyperfoil.io/config-hash'];
    const hashBefore = await hashOf();

    await applyFurnace(
      cp,
      namespace,
      scoped(scope, {
        limits: { maxDurationSeconds: 90, namespaces: { shop: { maxFrequency: 19 } } },
        images: { sidecar: 'registry.example/furnace-sidecar:9' },
        ingress: { enabled: true, host: 'furnace.example' },
        webhook: { failurePolicy: 'Fail', namespaceSelector: { matchLabels: { team: 'perf' } } },
      }),
    );
    const changed = await waitForFurnace(
      cp,
      namespace,
      (f) => f.metadata.generation !== first.metadata.generation,
      'the new generation',
    );
    assert.equal(changed.status?.url, 'https://furnace.example');
    assert.notEqual(await hashOf(), hashBefore, 'the server restarts on a config change');
    await assertConverged(namespace);

    await applyFurnace(cp, namespace, scoped(scope, { ingress: { enabled: false } }));
    await eventually(
      async () =>
        (await getJson(cp, ['ingress', 'furnace', '-n', namespace])) === undefined ? true : undefined,
      30_000,
      'the Ingress deleted once disabled',
    );
    const restored = await getJson<V1MutatingWebhookConfiguration>(cp, [
      'mutatingwebhookconfiguration',
      'furnace',
    ]);
    assert.equal(
      restored?.webhooks?.[0]?.failurePolicy,
      'Ignore',
      'back to the default when the override goes',
    );

    const removed = await cp.kubectl(['delete', 'mutatingwebhookconfiguration', 'furnace']);
    assert.equal(removed.code, 0, removed.stderr);
    await eventually(
      async () => (await getJson(cp, ['mutatingwebhookconfiguration', 'furnace'])) ?? undefined,
      30_000,
      'the webhook configuration applied again after someone deleted it',
    );
    // Without its binding the policy of continuous Recordings checks nothing: it comes back too.
    const unbound = await cp.kubectl(['delete', 'validatingadmissionpolicybinding', 'furnace-recordings']);
    assert.equal(unbound.code, 0, unbound.stderr);
    await eventually(
      async () =>
        (await getJson(cp, ['validatingadmissionpolicybinding', 'furnace-recordings'])) ?? undefined,
      30_000,
      'the policy binding applied again after someone deleted it',
    );
  });

  it('deletes the webhook configuration before anything else on deletion, then lets the Furnace go', async (t) => {
    const scope = randomBytes(4).toString('hex');
    const namespace = await createNamespace(kc, { prefix: 'op' });
    const app = await createScopedNamespace(kc, scope, 'app');
    startOperator(t, cp, namespace);
    await applyFurnace(cp, namespace, scoped(scope));
    const furnace = await waitForWebhookReady(cp, namespace, 'reconciled');
    assert.ok(furnace.metadata.finalizers?.includes('furnace.hyperfoil.io/cleanup'));
    const uid = furnace.metadata.uid ?? '';
    const before = (await madeFor(uid)).map(identity);

    // Deletions, in the order etcd committed them: resourceVersions of one API server are one sequence.
    const deletions: { id: string; revision: number }[] = [];
    const selector = `${MANAGED},furnace.hyperfoil.io/owner-uid=${uid}`;
    const paths = [
      '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      '/api/v1/configmaps',
      '/api/v1/secrets',
      '/api/v1/services',
      '/apis/apps/v1/deployments',
    ];
    const watch = new Watch(kc);
    const controllers = await Promise.all(
      paths.map((path) =>
        watch.watch(
          path,
          { labelSelector: selector },
          (phase, object: KubernetesObject) => {
            if (phase === 'DELETED')
              deletions.push({
                id: identity({ ...object, kind: object.kind }),
                revision: Number(object.metadata?.resourceVersion),
              });
          },
          () => undefined,
        ),
      ),
    );
    t.after(() => controllers.forEach((c) => c.abort()));

    const deleted = await cp.kubectl(['delete', 'furnace', 'furnace', '-n', namespace, '--wait=false']);
    assert.equal(deleted.code, 0, deleted.stderr);
    await eventually(
      async () =>
        (await getJson(cp, ['furnace', 'furnace', '-n', namespace])) === undefined ? true : undefined,
      60_000,
      'the Furnace gone once its finalizer is removed',
      250,
    );
    await eventually(
      async () => ((await madeFor(uid)).length === 0 ? true : undefined),
      60_000,
      'every object it made gone',
    );
    const watched = [
      'MutatingWebhookConfiguration',
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'Secret',
      'Service',
      'Deployment',
    ];
    const expected = before.filter((id) => watched.includes(id.split('/')[0] ?? '')).length;
    await eventually(
      () => Promise.resolve(deletions.length >= expected ? true : undefined),
      10_000,
      'the deletion events',
    );
    const ordered = [...deletions].sort((a, b) => a.revision - b.revision).map((d) => d.id);
    assert.equal(ordered[0], 'MutatingWebhookConfiguration/furnace', ordered.join(', '));
    assert.ok(
      ordered.includes(`ConfigMap/${app}/${SERVER_CA_CONFIG_MAP}`),
      'the CA ConfigMap in the opted-in namespace',
    );
    assert.ok(ordered.includes('ClusterRole/furnace-server'));
  });
});
