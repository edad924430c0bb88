// A throwaway serving key and a self-signed X.509 certificate for the sidecar's HTTPS API, made in memory
// at start-up (core/x509: no openssl in the image, nothing on disk). Nobody verifies the certificate chain:
// the server pins the key (core/tls-pin.ts), so the certificate only carries the key into TLS.
import { createPublicKey } from 'node:crypto';
import { tlsPinOf } from '../../core/tls-pin.ts';
import { issueCertificate } from '../../core/x509/issue-certificate.ts';

export interface ServingIdentity {
  keyPem: string;
  certPem: string;
  /** The pin the server checks the sidecar's TLS key against. */
  pin: string;
}

/** A P-256 key and a certificate for it, valid from an hour ago for `days`. */
export async function createServingIdentity(now = new Date(), days = 3650): Promise<ServingIdentity> {
  const { certPem, keyPem } = await issueCertificate({
    commonName: 'furnace-sidecar',
    isCa: false,
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + days * 86_400_000),
  });
  return { keyPem, certPem, pin: tlsPinOf(createPublicKey(keyPem)) };
}
