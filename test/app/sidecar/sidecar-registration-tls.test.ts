// The registration loop against a real HTTPS server on loopback whose certificate only the server CA trusts:
// FURNACE_SERVER_CA, or the kept-current file FURNACE_SERVER_CA_FILE names (the operator's ConfigMap).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import { sendHttp } from '../../../sidecar/server-link/http-client.ts';
import { ProxyTokens } from '../../../sidecar/server-link/proxy-tokens.ts';
import { startRegistration } from '../../../sidecar/server-link/registration.ts';
import { serverCaReader } from '../../../sidecar/server-link/server-ca.ts';
import { portOf } from '../../harness/ports.ts';
import { tempDir } from '../../harness/temp-dirs.ts';
import { timers } from '../../../sidecar/process-support.ts';
import { generateDevCertificates } from '../../../server/webhook/tls.ts';

/** A server certificate for 127.0.0.1 that only its own new CA trusts. */
async function makeCertificates(): Promise<{ ca: string; key: string; cert: string }> {
  const certs = await generateDevCertificates();
  return { ca: certs.caPem, key: certs.keyPem, cert: certs.certPem };
}

describe('registration over HTTPS', () => {
  it('trusts the server through FURNACE_SERVER_CA, and only through it', async (t) => {
    const { ca, key, cert } = await makeCertificates();
    const seen: string[] = [];
    const server = createServer({ key, cert }, (request, response) => {
      seen.push(`${request.method} ${request.url} ${request.headers.authorization}`);
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ leaseSeconds: 30, proxyToken: 'tls-token', uploadToken: 'tls-upload' }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const serverUrl = `https://127.0.0.1:${portOf(server)}`;

    const untrusted: string[] = [];
    const refused = startRegistration(
      {
        send: sendHttp,
        readCredential: () => Promise.resolve('sa-token'),
        timers,
        random: () => 0,
        tokens: new ProxyTokens(),
        log: (_m, f) => untrusted.push(String(f?.error)),
      },
      { serverUrl, port: 12380, baseDelayMs: 20, maxDelayMs: 20 },
    );
    while (untrusted.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    refused.stop();
    assert.match(untrusted[0] ?? '', /certificate/i);
    assert.deepEqual(seen, [], 'no request got through without trusting the CA');

    const tokens = new ProxyTokens();
    const trusted = startRegistration(
      {
        send: sendHttp,
        readCredential: () => Promise.resolve('sa-token'),
        timers,
        random: () => 0,
        tokens,
        readCa: () => Promise.resolve(ca),
        log: () => {},
      },
      { serverUrl, port: 12380 },
    );
    t.after(() => trusted.stop());
    await trusted.registered;
    assert.ok(tokens.isAccepted('tls-token', Date.now()));
    assert.equal(tokens.uploadToken, 'tls-upload');
    assert.deepEqual(seen, ['POST /api/v1/sidecars Bearer sa-token']);
  });

  it('follows a CA rotation through the kept-current file, without a restart, while the admitted CA is stale', async (t) => {
    const old = await makeCertificates();
    const rotated = await makeCertificates();
    const server = createServer({ key: rotated.key, cert: rotated.cert }, (_request, response) => {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ leaseSeconds: 30, proxyToken: 'p', uploadToken: 'u' }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const dir = await tempDir(t, 'furnace-ca-map-');
    const caFile = `${dir}/ca.crt`;
    const errors: string[] = [];
    const loop = startRegistration(
      {
        send: sendHttp,
        readCredential: () => Promise.resolve('sa-token'),
        timers,
        random: () => 0,
        tokens: new ProxyTokens(),
        // FURNACE_SERVER_CA froze the old CA at admission; the ConfigMap is not published yet.
        readCa: serverCaReader({ serverCa: old.ca, serverCaFile: caFile }),
        log: (_m, f) => errors.push(String(f?.error)),
      },
      { serverUrl: `https://127.0.0.1:${portOf(server)}`, port: 12380, baseDelayMs: 20, maxDelayMs: 20 },
    );
    t.after(() => loop.stop());
    while (errors.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(errors[0] ?? '', /certificate/i, 'the admitted CA no longer verifies the server');
    await writeFile(caFile, `${old.ca}${rotated.ca}`);
    await loop.registered;
  });
});
