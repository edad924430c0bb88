// Proves the harness's control plane is the real thing: client and kubectl agree, TokenReview is real,
// and the API server calls a local admission webhook over TLS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { TEST_RUN_LABEL } from '../../core/contract/names.ts';
import {
  RUN_ID,
  applyWebhookConfiguration,
  createNamespace,
  createServiceAccountToken,
  reviewToken,
  useCluster,
} from '../harness/cluster.ts';
import { createCa, issueCertificate } from '../harness/pki.ts';
import { eventually } from '../harness/eventually.ts';
import { portOf } from '../harness/ports.ts';

const { cp, kc } = await useCluster();

describe('control plane', () => {
  it('reports the pinned Kubernetes release', async () => {
    const { stdout, code } = await cp.kubectl(['version', '-o', 'json']);
    assert.equal(code, 0);
    const version = JSON.parse(stdout) as { serverVersion: { gitVersion: string } };
    assert.match(version.serverVersion.gitVersion, /^v1\.\d+\.\d+$/);
  });

  it('shows kubectl a namespace created with the client', async () => {
    const name = await createNamespace(kc);
    const { stdout, code, stderr } = await cp.kubectl(['get', 'namespace', name, '-o', 'json']);
    assert.equal(code, 0, stderr);
    const ns = JSON.parse(stdout) as { metadata: { labels: Record<string, string> } };
    assert.equal(ns.metadata.labels[TEST_RUN_LABEL], RUN_ID);
  });

  it('accepts a TokenRequest token in TokenReview and rejects a tampered one', async () => {
    const namespace = await createNamespace(kc);
    const token = await createServiceAccountToken(kc, {
      namespace,
      serviceAccount: 'default',
      audiences: ['furnace'],
    });
    const good = await reviewToken(kc, token, ['furnace']);
    assert.equal(good.authenticated, true);
    assert.equal(good.user?.username, `system:serviceaccount:${namespace}:default`);
    assert.deepEqual(good.audiences, ['furnace']);

    const [header, payload, signature = ''] = token.split('.');
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    const tampered = await reviewToken(kc, `${header}.${payload}.${flipped}`, ['furnace']);
    assert.notEqual(tampered.authenticated, true);

    const otherAudience = await reviewToken(kc, token, ['someone-else']);
    assert.notEqual(otherAudience.authenticated, true);
  });
});

interface AdmissionReview {
  request: { uid: string; object: { metadata: { name: string } } };
}

describe('admission through the real API server', () => {
  let server: Server;
  const seen: string[] = [];
  let caPem: string;
  let port: number;

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'furnace-webhook-pki-'));
    const ca = await createCa(dir, 'ca', '/CN=webhook-test-ca');
    const leaf = await issueCertificate(dir, ca, 'webhook', {
      subject: '/CN=127.0.0.1',
      altNames: { ip: ['127.0.0.1'] },
    });
    caPem = await readFile(ca.certPath, 'utf8');
    server = createServer(
      { cert: await readFile(leaf.certPath), key: await readFile(leaf.keyPath) },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AdmissionReview;
          seen.push(review.request.object.metadata.name);
          const patch = [
            { op: 'add', path: '/metadata/annotations', value: { 'harness.test/admitted': 'yes' } },
          ];
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({
              apiVersion: 'admission.k8s.io/v1',
              kind: 'AdmissionReview',
              response: {
                uid: review.request.uid,
                allowed: true,
                patchType: 'JSONPatch',
                patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
              },
            }),
          );
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = portOf(server);
  });
  after(() => {
    server.close();
  });

  it('sends a pod create to a local HTTPS webhook and stores its patch', async () => {
    const namespace = await createNamespace(kc, { labels: { 'harness-webhook': 'on' } });
    const remove = await applyWebhookConfiguration(kc, {
      metadata: { name: `harness-${namespace}` },
      webhooks: [
        {
          name: 'harness.furnace.test',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Fail',
          timeoutSeconds: 5,
          clientConfig: {
            url: `https://127.0.0.1:${port}/mutate`,
            caBundle: Buffer.from(caPem).toString('base64'),
          },
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
          rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
        },
      ],
    });
    try {
      const core = kc.makeApiClient(CoreV1Api);
      const pod = (name: string) => ({
        metadata: { name },
        spec: { containers: [{ name: 'app', image: 'busybox' }] },
      });
      // The API server picks up a new webhook configuration asynchronously; probe with dry-run creates.
      await eventually(
        async () => {
          const probe = await core.createNamespacedPod({ namespace, body: pod('probe'), dryRun: 'All' });
          return probe.metadata?.annotations?.['harness.test/admitted'];
        },
        15_000,
        'the webhook configuration to take effect',
      );
      const created = await core.createNamespacedPod({ namespace, body: pod('admitted') });
      assert.equal(created.metadata?.annotations?.['harness.test/admitted'], 'yes');
      const stored = await core.readNamespacedPod({ namespace, name: 'admitted' });
      assert.equal(stored.metadata?.annotations?.['harness.test/admitted'], 'yes');
      assert.ok(seen.includes('admitted'), 'the webhook saw the pod');
    } finally {
      await remove();
    }
  });
});
