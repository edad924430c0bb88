import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { issueCertificate } from '../../../core/x509/issue-certificate.ts';
import {
  decideCertificates,
  dnsNamesOf,
  splitPemBundle,
  type CertificatePolicy,
} from '../../../operator/furnace/certificates.ts';
import { furnaceNames, servingDnsNames } from '../../../operator/furnace/furnace-names.ts';
import { checkReadiness } from '../../../operator/furnace/readiness.ts';

const NAMES = servingDnsNames(furnaceNames('furnace', 'furnace'));
const HOUR = 3_600_000;
const POLICY: CertificatePolicy = {
  caLifetimeMs: 90 * HOUR,
  servingLifetimeMs: 30 * HOUR,
  renewFraction: 1 / 3,
};
const T0 = Date.parse('2030-01-01T00:00:00Z');

function certificate(pem: string): X509Certificate {
  return new X509Certificate(pem);
}

describe('operator certificates', () => {
  it('issues a CA and a serving certificate it signs, for both Services', async () => {
    const { certificates, renewed } = await decideCertificates(undefined, NAMES, POLICY, T0);
    assert.deepEqual(renewed, ['ca-missing', 'serving-missing']);
    const ca = certificate(certificates.ca.certPem);
    const serving = certificate(certificates.serving.certPem);
    assert.equal(ca.ca, true);
    assert.equal(serving.ca, false);
    assert.ok(
      serving.checkIssued(ca) && serving.verify(ca.publicKey),
      'the CA signs the serving certificate',
    );
    assert.deepEqual(dnsNamesOf(serving), [...NAMES].sort());
    assert.ok(serving.checkHost('furnace.furnace.svc') && serving.checkHost('furnace-api.furnace.svc'));
    assert.equal(Date.parse(serving.validTo), T0 + 30 * HOUR);
    assert.deepEqual(splitPemBundle(certificates.bundlePem), [certificates.ca.certPem]);
  });

  it('serves TLS that a client trusting only the bundle accepts for the Service name (the readiness check)', async (t) => {
    const { certificates } = await decideCertificates(undefined, NAMES, POLICY, Date.now());
    const server = createServer(
      { cert: certificates.serving.certPem, key: certificates.serving.keyPem },
      (req, res) => {
        res.statusCode = req.url === '/readyz' ? 200 : 404;
        res.end();
      },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => server.close());
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const url = 'https://furnace-api.furnace.svc:8080';
    assert.deepEqual(await checkReadiness({ url, address, caPem: certificates.bundlePem }), {
      ready: true,
      message: `${url}/readyz (at ${address}) answers 200`,
    });
    const stranger = (await decideCertificates(undefined, NAMES, POLICY, Date.now())).certificates.bundlePem;
    const refused = await checkReadiness({ url, address, caPem: stranger });
    assert.equal(refused.ready, false, 'another CA is not trusted');
    const wrongName = await checkReadiness({
      url: 'https://elsewhere.furnace.svc:8080',
      address,
      caPem: certificates.bundlePem,
    });
    assert.equal(wrongName.ready, false, 'a name the certificate does not carry is refused');
    assert.match(wrongName.message, /altnames|Hostname/);
  });

  it('keeps both while more than the renew fraction of their lifetimes remains', async () => {
    const first = (await decideCertificates(undefined, NAMES, POLICY, T0)).certificates;
    const later = await decideCertificates(first, NAMES, POLICY, T0 + 19 * HOUR);
    assert.deepEqual(later.renewed, []);
    assert.deepEqual(later.certificates, first);
    // Valid from 5 minutes before issue (clock skew) to 30 hours after: due when a third is left.
    assert.equal(later.nextRenewalAt, T0 + 30 * HOUR - (30 * HOUR + 5 * 60_000) / 3);
  });

  it('renews the serving certificate alone when it nears its end, with the same CA and bundle', async () => {
    const first = (await decideCertificates(undefined, NAMES, POLICY, T0)).certificates;
    const renewal = await decideCertificates(first, NAMES, POLICY, T0 + 21 * HOUR);
    assert.deepEqual(renewal.renewed, ['serving-expiring']);
    assert.equal(renewal.certificates.ca, first.ca);
    assert.equal(renewal.certificates.bundlePem, first.bundlePem);
    assert.notEqual(renewal.certificates.serving.certPem, first.serving.certPem);
    assert.ok(
      certificate(renewal.certificates.serving.certPem).verify(certificate(first.ca.certPem).publicKey),
    );
  });

  it('rotates the CA when it nears its end, trusting the old and the new CA until the old one expires', async () => {
    let stored = (await decideCertificates(undefined, NAMES, POLICY, T0)).certificates;
    // Serving renewals every 20 hours keep the serving certificate fresh until the CA is due at 60 hours.
    for (const hours of [21, 42])
      stored = (await decideCertificates(stored, NAMES, POLICY, T0 + hours * HOUR)).certificates;
    const rotation = await decideCertificates(stored, NAMES, POLICY, T0 + 61 * HOUR);
    assert.deepEqual(rotation.renewed, ['ca-expiring', 'serving-other-ca']);
    const { ca, serving, bundlePem } = rotation.certificates;
    assert.notEqual(ca.certPem, stored.ca.certPem);
    assert.deepEqual(
      splitPemBundle(bundlePem),
      [ca.certPem, stored.ca.certPem],
      'new CA first, old one still trusted',
    );
    assert.ok(
      certificate(serving.certPem).verify(certificate(ca.certPem).publicKey),
      'the new CA signs the new certificate',
    );
    const afterOldExpiry = await decideCertificates(rotation.certificates, NAMES, POLICY, T0 + 91 * HOUR);
    assert.deepEqual(splitPemBundle(afterOldExpiry.certificates.bundlePem)[0], ca.certPem);
    assert.equal(
      splitPemBundle(afterOldExpiry.certificates.bundlePem).length,
      1,
      'the expired CA is dropped',
    );
  });

  it('reissues the serving certificate when the names change or a stranger signed it', async () => {
    const first = (await decideCertificates(undefined, NAMES, POLICY, T0)).certificates;
    assert.deepEqual((await decideCertificates(first, [...NAMES, 'furnace.example'], POLICY, T0)).renewed, [
      'serving-names',
    ]);
    const foreign = await issueCertificate({
      commonName: 'x',
      isCa: false,
      dnsNames: NAMES,
      notBefore: new Date(T0),
      notAfter: new Date(T0 + 30 * HOUR),
    });
    assert.deepEqual((await decideCertificates({ ...first, serving: foreign }, NAMES, POLICY, T0)).renewed, [
      'serving-other-ca',
    ]);
  });

  it('never lets the serving certificate outlive its CA', async () => {
    const policy = { ...POLICY, servingLifetimeMs: 200 * HOUR };
    const { certificates } = await decideCertificates(undefined, NAMES, policy, T0);
    assert.equal(
      certificate(certificates.serving.certPem).validTo,
      certificate(certificates.ca.certPem).validTo,
    );
  });
});
