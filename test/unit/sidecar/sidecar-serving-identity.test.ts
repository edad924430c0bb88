import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { createSecureContext } from 'node:tls';
import { tlsPinOf } from '../../../core/tls-pin.ts';
import { createServingIdentity } from '../../../sidecar/api/self-signed-certificate.ts';

describe('sidecar serving identity', () => {
  it('makes a self-signed P-256 certificate that parses, verifies with its own key, and carries the pinned key', async () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const identity = await createServingIdentity(now, 30);
    const certificate = new X509Certificate(identity.certPem);
    assert.equal(certificate.subject, 'CN=furnace-sidecar');
    assert.equal(certificate.issuer, 'CN=furnace-sidecar');
    assert.ok(certificate.verify(certificate.publicKey), 'signed by its own key');
    assert.equal(certificate.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.equal(new Date(certificate.validFrom).toISOString(), '2026-03-01T11:00:00.000Z');
    assert.equal(new Date(certificate.validTo).toISOString(), '2026-03-31T12:00:00.000Z');
    assert.equal(tlsPinOf(certificate.publicKey), identity.pin);
    assert.match(identity.pin, /^[A-Za-z0-9_-]{43}$/);
  });

  it('always makes a certificate that TLS accepts (its serial is minimal DER, whatever the random bytes)', async () => {
    // A serial whose first byte came out zero was refused by OpenSSL ("illegal padding") one time in 256,
    // when we encoded DER by hand. The library encodes it now; 256 tries still catch such a bug more often
    // than not, in about three seconds (each issue is a WebCrypto key and signature).
    for (let i = 0; i < 256; i++) {
      const identity = await createServingIdentity();
      assert.doesNotThrow(() => createSecureContext({ cert: identity.certPem, key: identity.keyPem }));
    }
  });

  it('makes a new key every time', async () => {
    assert.notEqual((await createServingIdentity()).pin, (await createServingIdentity()).pin);
  });
});
