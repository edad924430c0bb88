import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'node:tls';
import { parseInjectionConfig } from '../../core/injection/injection-config.ts';
import { buildWebhookApp } from '../../server/webhook/build-webhook-app.ts';
import { generateDevCertificates, watchTlsFiles } from '../../server/webhook/tls.ts';
import type { DevCertificates } from '../../server/webhook/tls.ts';
import { optedInPod, podReview } from './webhook-support.ts';

/** SHA-256 fingerprint of the certificate the server presents, verified against the CA. */
function servedFingerprint(port: number, ca: string, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, ...(servername ? { servername } : {}) }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

function postReview(port: number, ca: string, body: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/mutate',
        method: 'POST',
        ca,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function writeAtomically(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content);
  await rename(`${path}.tmp`, path);
}

async function listen(t: TestContext, app: ReturnType<typeof buildWebhookApp>): Promise<number> {
  t.after(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  assert.ok(address && typeof address === 'object');
  return address.port;
}

describe('webhook TLS', () => {
  it('serves a generated certificate that the generated CA verifies for 127.0.0.1 and the service name', async (t) => {
    const certs = await generateDevCertificates();
    const app = buildWebhookApp({
      config: parseInjectionConfig({}),
      https: { key: certs.keyPem, cert: certs.certPem },
    });
    const port = await listen(t, app);
    assert.equal(await servedFingerprint(port, certs.caPem), fingerprintOf(certs.certPem));
    assert.equal(
      await servedFingerprint(port, certs.caPem, 'furnace.furnace.svc'),
      fingerprintOf(certs.certPem),
    );
    const other = await generateDevCertificates();
    await assert.rejects(servedFingerprint(port, other.caPem), /self-signed|unable to verify|certificate/i);
    const res = await postReview(port, certs.caPem, podReview(optedInPod()));
    assert.equal(res.status, 200);
  });

  it('uses a certificate rotated on disk for the next connection, without a restart', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'furnace-webhook-tls-test-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const first = await generateDevCertificates();
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    await writeFile(certFile, first.certPem);
    await writeFile(keyFile, first.keyPem);
    const errors: Error[] = [];
    const source = await watchTlsFiles({ certFile, keyFile, onError: (e) => errors.push(e) });
    t.after(() => source.close());
    const app = buildWebhookApp({ config: parseInjectionConfig({}), https: source });
    const port = await listen(t, app);
    assert.equal(await servedFingerprint(port, first.caPem), fingerprintOf(first.certPem));

    // A new pair from the same CA, as cert-manager would write it: the caBundle stays valid.
    const second: DevCertificates = await generateDevCertificates({
      ca: { certPem: first.caPem, keyPem: first.caKeyPem },
    });
    await writeAtomically(keyFile, second.keyPem);
    await writeAtomically(certFile, second.certPem);
    const expected = fingerprintOf(second.certPem);
    let served = '';
    for (let attempt = 0; attempt < 100 && served !== expected; attempt++) {
      await sleep(100);
      served = await servedFingerprint(port, first.caPem);
    }
    assert.equal(served, expected, 'the rotated certificate is served');
    const res = await postReview(port, first.caPem, podReview(optedInPod()));
    assert.equal(res.status, 200);
  });

  it('keeps the current pair when the files on disk do not match each other', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'furnace-webhook-tls-test-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const first = await generateDevCertificates();
    const other = await generateDevCertificates();
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    await writeFile(certFile, first.certPem);
    await writeFile(keyFile, first.keyPem);
    const errors: Error[] = [];
    const source = await watchTlsFiles({ certFile, keyFile, onError: (e) => errors.push(e) });
    t.after(() => source.close());
    await writeAtomically(certFile, other.certPem);
    for (let attempt = 0; attempt < 100 && errors.length === 0; attempt++) await sleep(50);
    assert.ok(errors.length > 0, 'the mismatch is reported');
    assert.equal(source.current().cert, first.certPem);
  });
});
