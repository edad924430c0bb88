// X.509 v3 certificates issued with @peculiar/x509 on WebCrypto (no openssl in the images): a CA, and
// serving certificates it signs, P-256 keys and ECDSA-SHA256 signatures. The operator issues the server's
// CA and serving certificate with it (operator/furnace/certificates.ts), the sidecar its throwaway one.
import { createPrivateKey, KeyObject } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

export interface CertificateRequest {
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  /** A CA certificate (may sign others) or a serving certificate (serverAuth). */
  isCa: boolean;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  /** The CA that signs it; self-signed when absent. */
  issuer?: KeyPairPem;
}

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

let library: Promise<typeof X509> | undefined;

/**
 * The library, loaded on first use: its ASN.1 schemas take about a quarter of a second to import, which
 * the operator need not pay before it starts nor the CLI ever. It needs the Reflect metadata API first.
 */
function x509(): Promise<typeof X509> {
  library ??= import('reflect-metadata').then(() => import('@peculiar/x509'));
  return library;
}

function extensionsOf(
  lib: typeof X509,
  request: CertificateRequest,
  subjectKeyId: X509.SubjectKeyIdentifierExtension,
  authorityKeyId: string,
): X509.Extension[] {
  const { KeyUsageFlags: usage } = lib;
  const common = [subjectKeyId, new lib.AuthorityKeyIdentifierExtension(authorityKeyId)];
  if (request.isCa)
    return [
      new lib.BasicConstraintsExtension(true, undefined, true),
      new lib.KeyUsagesExtension(usage.digitalSignature | usage.keyCertSign | usage.cRLSign, true),
      ...common,
    ];
  const names = [
    ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  return [
    new lib.BasicConstraintsExtension(false, undefined, true),
    new lib.KeyUsagesExtension(usage.digitalSignature | usage.keyEncipherment, true),
    new lib.ExtendedKeyUsageExtension([lib.ExtendedKeyUsage.serverAuth]),
    ...(names.length > 0 ? [new lib.SubjectAlternativeNameExtension(names)] : []),
    ...common,
  ];
}

/** The issuer's name, key identifier and signing key; the subject's own when it signs itself. */
async function signerOf(
  lib: typeof X509,
  request: CertificateRequest,
  keys: CryptoKeyPair,
  subjectKeyId: X509.SubjectKeyIdentifierExtension,
): Promise<{ name: X509.Name | X509.JsonName; keyId: string; signingKey: CryptoKey }> {
  if (!request.issuer)
    return { name: [{ CN: [request.commonName] }], keyId: subjectKeyId.keyId, signingKey: keys.privateKey };
  const issuer = new lib.X509Certificate(request.issuer.certPem);
  const issuerKeyId =
    issuer.getExtension(lib.SubjectKeyIdentifierExtension)?.keyId ??
    (await lib.SubjectKeyIdentifierExtension.create(await issuer.publicKey.export())).keyId;
  const pkcs8 = createPrivateKey(request.issuer.keyPem).export({ type: 'pkcs8', format: 'der' });
  const signingKey = await crypto.subtle.importKey('pkcs8', pkcs8, EC_KEY, false, ['sign']);
  return { name: issuer.subjectName, keyId: issuerKeyId, signingKey };
}

/** A new P-256 key and a certificate for it, signed by the request's issuer (or itself). */
export async function issueCertificate(request: CertificateRequest): Promise<KeyPairPem> {
  const lib = await x509();
  const keys = await crypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const subjectKeyId = await lib.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const signer = await signerOf(lib, request, keys, subjectKeyId);
  const certificate = await lib.X509CertificateGenerator.create({
    subject: [{ CN: [request.commonName] }],
    issuer: signer.name,
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    publicKey: keys.publicKey,
    signingKey: signer.signingKey,
    signingAlgorithm: SIGNING,
    extensions: extensionsOf(lib, request, subjectKeyId, signer.keyId),
  });
  return {
    certPem: `${certificate.toString('pem').trim()}\n`,
    keyPem: KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
