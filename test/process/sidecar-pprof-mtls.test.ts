// A pprof endpoint behind mutual TLS (as etcd serves its own): the sidecar presents the client certificate
// of the secret a recording names, from under its one TLS root; without one the handshake fails, clearly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { samplesOf } from '../harness/hot-program.ts';
import { sharedGoPprofProgram, startGoPprofProgram } from '../harness/go-pprof-program.ts';
import { createCa, issueCertificate } from '../harness/pki.ts';
import { freePort } from '../harness/ports.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'local-registration-secret';

describe('sidecar with profiler pprof against an mTLS endpoint', () => {
  it('works with the client certificate of the named secret, and fails naming the endpoint and the TLS error without one', async (t) => {
    const pki = await tempDir(t, 'pprof-pki-');
    const ca = await createCa(pki, 'ca', '/CN=furnace-test-pprof-ca');
    const serving = await issueCertificate(pki, ca, 'server', {
      subject: '/CN=go-pprof',
      altNames: { ip: ['127.0.0.1'] },
    });
    const client = await issueCertificate(pki, ca, 'client', { subject: '/CN=furnace', clientAuth: true });
    // The sidecar's TLS root, as mounted secrets would fill it: one with a client certificate, one with the CA only.
    const root = await tempDir(t, 'pprof-tls-');
    await mkdir(`${root}/go-client`);
    await copyFile(client.certPath, `${root}/go-client/tls.crt`);
    await copyFile(client.keyPath, `${root}/go-client/tls.key`);
    await copyFile(ca.certPath, `${root}/go-client/ca.crt`);
    await mkdir(`${root}/ca-only`);
    await copyFile(ca.certPath, `${root}/ca-only/ca.crt`);

    const port = await freePort();
    const program = await sharedGoPprofProgram();
    await startGoPprofProgram(t, program, {
      port,
      tls: { certPath: serving.certPath, keyPath: serving.keyPath, clientCaPath: ca.certPath },
    });
    const { sidecar } = await startRegisteredSidecar(t, SECRET, { FURNACE_PPROF_TLS_DIR: root });

    const record = (secret: string) =>
      sidecar.record({ profiler: 'pprof', pprof: { port, kind: 'heap', tls: { secret } } });

    const done = await record('go-client');
    assert.equal(done.state, 'done', done.error);
    assert.equal(done.params.pprof?.scheme, 'https');
    const folded = await sidecar.artifact(done.id, 'stacks.folded');
    assert.ok(samplesOf(folded, 'main.furnaceGoRetain') > 0, folded);

    const refused = await record('ca-only');
    assert.equal(refused.state, 'failed');
    t.diagnostic(refused.error ?? '');
    assert.match(
      refused.error ?? '',
      new RegExp(
        `^TLS handshake with https://127\\.0\\.0\\.1:${port}/debug/pprof/heap failed: tlsv13 alert certificate required \\(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\\)$`,
      ),
    );

    const missing = await sidecar.call('POST', '/recordings', {
      profiler: 'pprof',
      pprof: { port, tls: { secret: 'not-mounted' } },
    });
    assert.equal(missing.status, 400, missing.text);
    assert.match(
      (missing.json as { message: string }).message,
      /pprof\.tls\.secret "not-mounted": no such secret is mounted/,
    );
  });
});
