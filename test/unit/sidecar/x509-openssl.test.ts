// The certificates core/x509 issues, as other X.509 implementations read them: Debian's openssl parses and
// verifies them, Node's TLS and curl accept the chain from a client that trusts only the CA. (Go's TLS
// is the API server's, in the kube tier: the webhook, the aggregated API and the operator's certificates.)
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { issueCertificate, type KeyPairPem } from '../../../core/x509/issue-certificate.ts';
import { decideCertificates, DEFAULT_CERTIFICATE_POLICY } from '../../../operator/furnace/certificates.ts';
import { furnaceNames, servingDnsNames } from '../../../operator/furnace/furnace-names.ts';
import { createServingIdentity } from '../../../sidecar/api/self-signed-certificate.ts';
import { execFile } from '../../harness/child-processes.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

const run = promisify(execFile);
const DAY = 86_400_000;
const NAMES = servingDnsNames(furnaceNames('furnace', 'furnace'));

function scratch(t: TestContext): (name: string, text: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'furnace-x509-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return (name, text) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
}

async function opensslText(path: string): Promise<string> {
  return (await run('openssl', ['x509', '-text', '-noout', '-in', path])).stdout;
}

async function opensslVerify(caPath: string, certPath: string): Promise<string> {
  return (await run('openssl', ['verify', '-CAfile', caPath, certPath])).stdout.trim();
}

/** The key identifier openssl prints after `label`, e.g. `X509v3 Subject Key Identifier:`. */
function keyId(text: string, label: string): string | undefined {
  return new RegExp(`${label}: *\\n *(?:keyid:)?([0-9A-F:]+)`).exec(text)?.[1];
}

async function serve(t: TestContext, serving: KeyPairPem): Promise<number> {
  const server = createServer({ cert: serving.certPem, key: serving.keyPem }, (_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  return (server.address() as AddressInfo).port;
}

function nodeGet(port: number, caPem: string, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, ca: caPem, servername, path: '/' }, (res) => {
      res.setEncoding('utf8');
      let body = '';
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('X.509 certificates', () => {
  it('openssl reads a CA and a serving certificate: extensions, keys, and a chain it verifies', async (t) => {
    const file = scratch(t);
    const now = Date.now();
    const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + DAY) };
    const ca = await issueCertificate({ commonName: 'test-ca', isCa: true, ...validity });
    const serving = await issueCertificate({
      commonName: 'furnace.furnace.svc',
      isCa: false,
      dnsNames: ['furnace.furnace.svc', 'localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
      issuer: ca,
      ...validity,
    });
    const caText = await opensslText(file('ca.crt', ca.certPem));
    const servingText = await opensslText(file('tls.crt', serving.certPem));
    for (const text of [caText, servingText]) {
      assert.match(text, /Version: 3/);
      assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
      assert.match(text, /NIST CURVE: P-256/);
      assert.match(text, /Issuer: CN = test-ca/);
    }
    assert.match(caText, /Basic Constraints: critical\s+CA:TRUE/);
    assert.match(caText, /Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
    assert.match(servingText, /Subject: CN = furnace\.furnace\.svc/);
    assert.match(servingText, /Basic Constraints: critical\s+CA:FALSE/);
    assert.match(servingText, /Key Usage: critical\s+Digital Signature, Key Encipherment/);
    assert.match(servingText, /Extended Key Usage: \s+TLS Web Server Authentication/);
    assert.match(
      servingText,
      /DNS:furnace\.furnace\.svc, DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/,
    );
    const caKeyId = keyId(caText, 'Subject Key Identifier');
    assert.ok(caKeyId);
    assert.equal(keyId(caText, 'Authority Key Identifier'), caKeyId, 'the CA names itself');
    assert.equal(
      keyId(servingText, 'Authority Key Identifier'),
      caKeyId,
      'the serving certificate names the CA',
    );
    assert.notEqual(keyId(servingText, 'Subject Key Identifier'), caKeyId);
    assert.match(await opensslVerify(file('ca.crt', ca.certPem), file('tls.crt', serving.certPem)), /: OK$/);
  });

  it('everything the operator issues verifies, across a CA rotation, against the bundle it publishes', async (t) => {
    const file = scratch(t);
    const first = await decideCertificates(undefined, NAMES, DEFAULT_CERTIFICATE_POLICY, Date.now());
    const policy = { ...DEFAULT_CERTIFICATE_POLICY, renewFraction: 1 };
    const rotated = await decideCertificates(first.certificates, NAMES, policy, Date.now());
    assert.deepEqual(rotated.renewed, ['ca-expiring', 'serving-other-ca']);
    const bundle = file('bundle.crt', rotated.certificates.bundlePem);
    for (const [name, pem] of [
      ['first-ca.crt', first.certificates.ca.certPem],
      ['first.crt', first.certificates.serving.certPem],
      ['second-ca.crt', rotated.certificates.ca.certPem],
      ['second.crt', rotated.certificates.serving.certPem],
    ] as const)
      assert.match(await opensslVerify(bundle, file(name, pem)), /: OK$/, name);
    assert.match(
      await opensslText(file('dns.crt', rotated.certificates.serving.certPem)),
      /DNS:furnace\.furnace\.svc/,
    );
  });

  it('a CA issued before the library (its own key identifier) still signs serving certificates that verify', async (t) => {
    const file = scratch(t);
    const golden = join(PROJECT_ROOT, 'test', 'golden', 'x509');
    const old: KeyPairPem = {
      certPem: readFileSync(join(golden, 'ca-before-library.crt'), 'utf8'),
      keyPem: readFileSync(join(golden, 'ca-before-library.key'), 'utf8'),
    };
    const decision = await decideCertificates({ ca: old }, NAMES, DEFAULT_CERTIFICATE_POLICY, Date.now());
    assert.deepEqual(decision.renewed, ['serving-missing'], 'the old CA is kept');
    const servingText = await opensslText(file('tls.crt', decision.certificates.serving.certPem));
    const caText = await opensslText(file('ca.crt', old.certPem));
    assert.equal(keyId(servingText, 'Authority Key Identifier'), keyId(caText, 'Subject Key Identifier'));
    assert.match(
      await opensslVerify(
        file('ca.crt', old.certPem),
        file('tls.crt', decision.certificates.serving.certPem),
      ),
      /: OK$/,
    );
  });

  it('Node’s TLS and curl accept the chain from a client that trusts only the CA, by DNS name and by IP', async (t) => {
    const file = scratch(t);
    const { certificates } = await decideCertificates(
      undefined,
      [...NAMES, 'localhost'],
      DEFAULT_CERTIFICATE_POLICY,
      Date.now(),
    );
    const serving = await issueCertificate({
      commonName: 'furnace',
      isCa: false,
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      issuer: certificates.ca,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + DAY),
    });
    const byName = await serve(t, certificates.serving);
    const byIp = await serve(t, serving);
    assert.equal(await nodeGet(byName, certificates.bundlePem, 'furnace.furnace.svc'), 'ok');
    await assert.rejects(nodeGet(byName, certificates.bundlePem, 'elsewhere.svc'), /altnames|Hostname/);
    assert.equal(await nodeGet(byIp, certificates.ca.certPem, ''), 'ok');
    const caFile = file('ca.crt', certificates.bundlePem);
    const curl = async (...args: string[]) =>
      (await run('curl', ['-sS', '--cacert', caFile, ...args])).stdout;
    assert.equal(
      await curl(
        '--resolve',
        `furnace.furnace.svc:${byName}:127.0.0.1`,
        `https://furnace.furnace.svc:${byName}/`,
      ),
      'ok',
    );
    assert.equal(await curl(`https://127.0.0.1:${byIp}/`), 'ok');
  });

  it('the sidecar’s self-signed certificate parses in openssl (the server pins its key, not its chain)', async (t) => {
    const file = scratch(t);
    const identity = await createServingIdentity();
    const text = await opensslText(file('sidecar.crt', identity.certPem));
    assert.match(text, /Subject: CN = furnace-sidecar/);
    assert.match(text, /Issuer: CN = furnace-sidecar/);
    assert.match(text, /TLS Web Server Authentication/);
    assert.doesNotMatch(text, /Subject Alternative Name/);
  });
});
