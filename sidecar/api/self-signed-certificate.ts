// A throwaway serving key and a self-signed X.509 certificate for the sidecar's HTTPS API, made in memory
// at start-up with node:crypto (no openssl in the image, nothing on disk). Nobody verifies the certificate
// chain: the server pins the key (core/tls-pin.ts), so the certificate only carries the key into TLS.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { tlsPinOf } from '../../core/tls-pin.ts';
import { commonName, der, oid, pem, sequence, time } from '../../core/x509/der.ts';

export interface ServingIdentity {
  keyPem: string;
  certPem: string;
  /** The pin the server checks the sidecar's TLS key against. */
  pin: string;
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

/** A P-256 key and a v1 certificate for it, valid from an hour ago for `days`. */
export function createServingIdentity(now = new Date(), days = 3650): ServingIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = commonName('furnace-sidecar');
  // A positive serial in minimal DER: the first byte's high bit clear (positive) and not zero (a leading
  // zero byte before one below 0x80 is padding that OpenSSL refuses, about one start in 256).
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const tbs = sequence(
    der(0x02, serial),
    ECDSA_WITH_SHA256,
    name,
    sequence(time(new Date(now.getTime() - 3_600_000)), time(new Date(now.getTime() + days * 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = sequence(tbs, ECDSA_WITH_SHA256, der(0x03, Buffer.from([0]), signature));
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certPem: pem('CERTIFICATE', certificate),
    pin: tlsPinOf(publicKey),
  };
}
