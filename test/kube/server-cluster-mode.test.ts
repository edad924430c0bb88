import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createNamespace, createServiceAccountToken, useCluster } from '../harness/cluster.ts';
import { generateDevCertificates } from '../../server/webhook/tls.ts';
import { freePort, startProcess, tempDir, waitFor } from '../process/server-processes.ts';
import { createPod } from './server-kube-fixture.ts';

const { cp, kc } = await useCluster();

function httpsCall(
  url: string,
  ca: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', ca, headers: options.headers ?? {} },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('server in cluster mode (main.ts without --local) against a real API server', () => {
  it('serves the API and the webhook over HTTPS, registers a pod-bound sidecar token, and reports both in metrics', async (t) => {
    const dir = await tempDir(t, 'furnace-cluster-');
    const certs = await generateDevCertificates();
    await writeFile(join(dir, 'tls.crt'), certs.certPem);
    await writeFile(join(dir, 'tls.key'), certs.keyPem);
    const [port, webhookPort] = [await freePort(), await freePort()];
    await writeFile(
      join(dir, 'config.yaml'),
      `host: 127.0.0.1\nport: ${port}\ndataDir: ${dir}/data\ntls:\n  certFile: ${dir}/tls.crt\n  keyFile: ${dir}/tls.key\nwebhook:\n  port: ${webhookPort}\n`,
    );
    const server = startProcess(t, ['server/main.ts'], {
      FURNACE_CONFIG: join(dir, 'config.yaml'),
      KUBECONFIG: cp.kubeconfigPath,
    });
    const base = `https://127.0.0.1:${port}`;
    await waitFor('the API listener', async () =>
      (await httpsCall(`${base}/readyz`, certs.caPem)).status === 200 ? true : undefined,
    );
    assert.equal((await httpsCall(`https://127.0.0.1:${webhookPort}/healthz`, certs.caPem)).status, 200);

    const namespace = await createNamespace(kc, { enabled: true });
    const pod = await createPod(kc, namespace, 'web');
    const token = await createServiceAccountToken(kc, {
      namespace,
      serviceAccount: 'default',
      audiences: ['furnace'],
      boundPod: { name: 'web', uid: pod.metadata?.uid ?? '' },
    });
    const registered = await httpsCall(`${base}/api/v1/sidecars`, certs.caPem, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(registered.status, 200, registered.body);
    const metrics = await httpsCall(`${base}/metrics`, certs.caPem);
    assert.match(metrics.body, /^furnace_registered_sidecars 1$/m);
    assert.match(metrics.body, /furnace_webhook_decisions_total/);
    assert.equal(
      (await httpsCall(`${base}/api/v1/sidecars`, certs.caPem)).status,
      401,
      'auth mode kubernetes by default',
    );
    assert.equal(server.output().includes(token), false, 'the token never reaches the log');
    assert.equal(await server.stop(), 0);
  });
});
