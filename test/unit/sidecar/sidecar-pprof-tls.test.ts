import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { describeFetchError } from '../../../sidecar/profilers/pprof/pprof-fetch.ts';
import { readPprofTls } from '../../../sidecar/profilers/pprof/pprof-tls.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

async function refusal(promise: Promise<unknown>): Promise<FurnaceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof FurnaceError);
    return error;
  }
  assert.fail('expected a refusal');
}

describe('pprof TLS material from a named secret', () => {
  it('reads tls.crt, tls.key and ca.crt from the named directory under the root', async (t) => {
    const root = await tempDir(t, 'pprof-tls-');
    await mkdir(`${root}/etcd-client`);
    await writeFile(`${root}/etcd-client/tls.crt`, 'CERT');
    await writeFile(`${root}/etcd-client/tls.key`, 'KEY');
    await writeFile(`${root}/etcd-client/ca.crt`, 'CA');
    assert.deepEqual(await readPprofTls(root, { secret: 'etcd-client', serverName: 'etcd' }), {
      serverName: 'etcd',
      cert: 'CERT',
      key: 'KEY',
      ca: 'CA',
    });
    assert.equal(await readPprofTls(root, undefined), undefined);
  });

  it('refuses a path, a secret that is not mounted, and a certificate without its key', async (t) => {
    const root = await tempDir(t, 'pprof-tls-');
    assert.match(
      (await refusal(readPprofTls(root, { secret: '../etc' }))).message,
      /must be a secret name, not a path/,
    );
    const missing = await refusal(readPprofTls(root, { secret: 'nope' }));
    assert.equal(missing.details.field, 'pprof.tls.secret');
    assert.match(missing.message, /no such secret is mounted/);
    await mkdir(`${root}/half`);
    await writeFile(`${root}/half/tls.crt`, 'CERT');
    assert.match(
      (await refusal(readPprofTls(root, { secret: 'half' }))).message,
      /one of tls\.crt and tls\.key without the other/,
    );
  });
});

describe('pprof fetch errors', () => {
  it('names the endpoint, and calls a TLS failure a handshake failure with OpenSSL’s reason', () => {
    const url = 'https://127.0.0.1:2379/debug/pprof/heap';
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    assert.equal(describeFetchError(url, refused, true), `nothing listens at ${url}: connection refused`);
    const alert = Object.assign(
      new Error(
        '80BC:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/rec.c:1601:SSL alert number 116\n',
      ),
      { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' },
    );
    assert.equal(
      describeFetchError(url, alert, true),
      `TLS handshake with ${url} failed: tlsv13 alert certificate required (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)`,
    );
    const untrusted = Object.assign(new Error('self-signed certificate'), {
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    assert.match(
      describeFetchError(url, untrusted, true),
      /^TLS handshake with .* failed: self-signed certificate/,
    );
  });
});
