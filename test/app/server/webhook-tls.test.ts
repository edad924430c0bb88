import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseInjectionConfig } from '../../../core/injection/injection-config.ts';
import { buildWebhookApp } from '../../../server/webhook/build-webhook-app.ts';
import { generateDevCertificates, watchTlsFiles } from '../../../server/webhook/tls.ts';
import type { DevCertificates } from '../../../server/webhook/tls.ts';
import { podReview } from '../../harness/admission-review.ts';
import {
  fingerprintOf,
  servedFingerprint,
  writeAtomically,
  writeCertificateFiles,
} from '../../harness/certificate-files.ts';
import { httpsCall } from '../../harness/http.ts';
import { portOf } from '../../harness/ports.ts';
import { tempDir } from '../../harness/temp-dirs.ts';
import { optedInPod } from './webhook-support.ts';

async function postReview(
  port: number,
  ca: string,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  const answer = await httpsCall(`https://127.0.0.1:${port}/mutate`, ca, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: answer.status, json: JSON.parse(answer.body) as unknown };
}

async function listen(t: TestContext, app: ReturnType<typeof buildWebhookApp>): Promise<number> {
  t.after(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  return portOf(app.server);
}

/** The pair written to files in a new directory, watched until the test ends; errors it reports pile up. */
async function watchedFiles(t: TestContext, certs: DevCertificates) {
  const { certFile, keyFile } = await writeCertificateFiles(
    await tempDir(t, 'furnace-webhook-tls-test-'),
    certs,
  );
  const errors: Error[] = [];
  const source = await watchTlsFiles({ certFile, keyFile, onError: (e) => errors.push(e) });
  t.after(() => source.close());
  return { certFile, keyFile, errors, source };
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
    const first = await generateDevCertificates();
    const { certFile, keyFile, source } = await watchedFiles(t, first);
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
    const first = await generateDevCertificates();
    const other = await generateDevCertificates();
    const { certFile, errors, source } = await watchedFiles(t, first);
    await writeAtomically(certFile, other.certPem);
    for (let attempt = 0; attempt < 100 && errors.length === 0; attempt++) await sleep(50);
    assert.ok(errors.length > 0, 'the mismatch is reported');
    assert.equal(source.current().cert, first.certPem);
  });
});
