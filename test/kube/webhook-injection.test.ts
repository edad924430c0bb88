// Pods go through the real API server's admission chain to the furnace webhook over TLS.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { V1EnvVar, V1Pod } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { INJECTED_ANNOTATION, SIDECAR_ENV } from '../../core/contract/names.ts';
import { getControlPlane } from '../harness/control-plane.ts';
import { hasSidecar, testPod } from '../harness/scoped-webhook.ts';
import { decisionsOf, useKubeWebhook } from './webhook-fixture.ts';

const cp = await getControlPlane();
const kc = cp.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const { webhook, enabled } = await useKubeWebhook(kc);
/** How many admissions ended in `decision`, for `reason` or for any reason. */
const decisions = (decision: string, reason?: string) => decisionsOf(webhook, decision, reason);

/** The sidecar sits beside the pod's own container, and the pod's annotations are kept. */
function assertInjectedBesideApp(pod: V1Pod): void {
  assert.deepEqual(
    pod.spec?.containers.map((c) => c.name),
    ['app', 'furnace'],
  );
  assert.equal(pod.spec?.shareProcessNamespace, true);
  assert.equal(pod.metadata?.annotations?.team, 'shop', 'existing annotations are kept');
  assert.ok(pod.metadata?.annotations?.[INJECTED_ANNOTATION]);
}

/** The injected container's environment names the pod's targets and takes the pod UID from the downward API. */
function assertSidecarEnv(env: V1EnvVar[]): void {
  const byName = new Map(env.map((e) => [e.name, e]));
  assert.equal(byName.get(SIDECAR_ENV.targets)?.value, '[{"name":"app","image":"registry.example/app:1"}]');
  assert.equal(byName.get(SIDECAR_ENV.podUid)?.valueFrom?.fieldRef?.fieldPath, 'metadata.uid');
}

/** The injected container's environment, port and token volume. */
function assertSidecarWiring(pod: V1Pod): void {
  const sidecar = pod.spec?.containers[1];
  assertSidecarEnv(sidecar?.env ?? []);
  assert.equal(sidecar?.ports?.[0]?.containerPort, 12380);
  const token = pod.spec?.volumes?.find((v) => v.name === 'furnace-token');
  assert.equal(token?.projected?.sources?.[0]?.serviceAccountToken?.audience, 'furnace');
}

describe('webhook in a real admission chain', () => {
  it('injects a pod created with the client in an enabled namespace', async () => {
    const body = testPod('client-pod', {
      labels: { furnace: 'enabled', app: 'web' },
      annotations: { team: 'shop' },
    });
    const created = await core.createNamespacedPod({ namespace: enabled, body });
    const stored = await core.readNamespacedPod({ namespace: enabled, name: 'client-pod' });
    for (const pod of [created, stored]) assertInjectedBesideApp(pod);
    assertSidecarWiring(stored);
  });

  it('is called once per pod create: the API server does not call it again after its own token mount', async () => {
    const injectedBefore = await decisions('inject');
    const againBefore = await decisions('skip', 'already-injected-annotation');
    const body = testPod('once-pod', { labels: { furnace: 'enabled' } });
    assert.ok(hasSidecar(await core.createNamespacedPod({ namespace: enabled, body })));
    assert.equal((await decisions('inject')) - injectedBefore, 1);
    // With reinvocationPolicy IfNeeded the service-account plugin's mount into the new container made the
    // API server call the webhook a second time for every pod, only to be told it was injected already.
    assert.equal((await decisions('skip', 'already-injected-annotation')) - againBefore, 0);
  });

  it('injects a pod applied with kubectl, opted in by an annotation in odd case', async () => {
    const manifest = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: kubectl-pod',
      '  annotations:',
      "    furnace: ' YeS '",
      'spec:',
      '  containers:',
      '    - name: app',
      '      image: registry.example/app:1',
      '',
    ].join('\n');
    const applied = await cp.kubectl(['apply', '-n', enabled, '-f', '-'], { input: manifest });
    assert.equal(applied.code, 0, applied.stderr);
    const got = await cp.kubectl(['get', 'pod', 'kubectl-pod', '-n', enabled, '-o', 'json']);
    assert.equal(got.code, 0, got.stderr);
    const pod = JSON.parse(got.stdout) as V1Pod;
    assert.ok(hasSidecar(pod));
    // kubectl's own annotation sits beside the marker, not replaced by it.
    assert.ok(pod.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration']);
    assert.ok(pod.metadata?.annotations?.[INJECTED_ANNOTATION]);
  });

  it('does not inject in a namespace without furnace=enabled', async () => {
    const plain = await webhook.namespace(false);
    const created = await core.createNamespacedPod({
      namespace: plain,
      body: testPod('p', { labels: { furnace: 'enabled' } }),
    });
    assert.equal(hasSidecar(created), false);
  });

  it('does not inject a pod that did not opt in, and the match condition keeps the request from the webhook', async () => {
    const before = await decisions('skip', 'pod-not-opted-in');
    const cases = [
      testPod('not-opted-in', { labels: { app: 'x' } }),
      testPod('opted-out', { labels: { furnace: 'no' } }),
    ];
    for (const body of cases) {
      const created = await core.createNamespacedPod({ namespace: enabled, body });
      assert.equal(hasSidecar(created), false, body.metadata?.name);
    }
    assert.equal(
      await decisions('skip', 'pod-not-opted-in'),
      before,
      'the API server did not call the webhook',
    );
  });

  it('admits an injected pod with pod-level runAsNonRoot, and a Job pod with the sidecar as a native sidecar', async () => {
    const nonRoot = testPod('non-root', { labels: { furnace: 'true' } });
    nonRoot.spec = {
      ...nonRoot.spec,
      containers: nonRoot.spec?.containers ?? [],
      securityContext: { runAsNonRoot: true, runAsUser: 1000 },
    };
    const created = await core.createNamespacedPod({ namespace: enabled, body: nonRoot });
    const sidecar = created.spec?.containers.find((c) => c.name === 'furnace');
    assert.equal(sidecar?.securityContext?.runAsNonRoot, false);
    assert.equal(sidecar?.securityContext?.runAsUser, 0);
    assert.equal(created.spec?.securityContext?.runAsNonRoot, true, 'the pod keeps its own setting');

    const job = testPod('job-pod', { labels: { furnace: 'enabled' } });
    job.spec = { ...job.spec, containers: job.spec?.containers ?? [], restartPolicy: 'Never' };
    const jobPod = await core.createNamespacedPod({ namespace: enabled, body: job });
    assert.deepEqual(
      jobPod.spec?.initContainers?.map((c) => [c.name, c.restartPolicy]),
      [['furnace', 'Always']],
    );
  });

  it('answers a server-side dry-run create with the injected pod and stores nothing', async () => {
    const body = testPod('dry-run-pod', { labels: { furnace: 'enabled' } });
    const dry = await core.createNamespacedPod({ namespace: enabled, body, dryRun: 'All' });
    assert.ok(hasSidecar(dry));
    await assert.rejects(
      core.readNamespacedPod({ namespace: enabled, name: 'dry-run-pod' }),
      (error: { code?: number }) => {
        assert.equal(error.code, 404);
        return true;
      },
    );
    const viaKubectl = await cp.kubectl(
      ['create', '-n', enabled, '--dry-run=server', '-o', 'json', '-f', '-'],
      {
        input: stringify(body),
      },
    );
    assert.equal(viaKubectl.code, 0, viaKubectl.stderr);
    assert.ok(hasSidecar(JSON.parse(viaKubectl.stdout) as V1Pod));
    const list = await core.listNamespacedPod({
      namespace: enabled,
      fieldSelector: 'metadata.name=dry-run-pod',
    });
    assert.equal(list.items.length, 0);
  });
});
