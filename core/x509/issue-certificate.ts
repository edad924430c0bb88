// X.509 v3 certificates made with node:crypto alone (no openssl in the operator's image): a CA, and
// serving certificates it signs, P-256 keys and ECDSA-SHA256 signatures. The operator issues the server's
// CA and serving certificate with it (operator/furnace/certificates.ts).
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import {
  booleanTrue,
  commonName,
  der,
  explicit,
  namedBits,
  octetString,
  oid,
  pem,
  sequence,
  time,
  unsignedInteger,
} from './der.ts';

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

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [booleanTrue()] : []), octetString(value));
}

/** The key identifier of a public key: SHA-1 of its SubjectPublicKeyInfo (RFC 7093 allows any such hash). */
function keyIdentifier(publicKey: KeyObject): Buffer {
  return createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest();
}

function ipBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  if (!isIPv6(address)) throw new Error(`not an IP address: ${address}`);
  const [head = '', tail = ''] = address.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = address.includes('::') ? groups(tail) : [];
  const middle = Array<string>(8 - left.length - right.length).fill('0');
  const all = [...left, ...middle, ...right];
  return Buffer.from(all.flatMap((group) => [parseInt(group, 16) >> 8, parseInt(group, 16) & 0xff]));
}

function subjectAltName(request: CertificateRequest): Buffer {
  const names = [
    ...(request.dnsNames ?? []).map((name) => der(0x82, Buffer.from(name, 'ascii'))),
    ...(request.ipAddresses ?? []).map((address) => der(0x87, ipBytes(address))),
  ];
  return sequence(...names);
}

function extensions(request: CertificateRequest, subjectKey: KeyObject, issuerKey: KeyObject): Buffer {
  const list = request.isCa
    ? [
        extension('2.5.29.19', true, sequence(booleanTrue())),
        extension(
          '2.5.29.15',
          true,
          namedBits([KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign]),
        ),
      ]
    : [
        extension('2.5.29.19', true, sequence()),
        extension('2.5.29.15', true, namedBits([KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment])),
        extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))),
        extension('2.5.29.17', false, subjectAltName(request)),
      ];
  list.push(extension('2.5.29.14', false, octetString(keyIdentifier(subjectKey))));
  list.push(extension('2.5.29.35', false, sequence(der(0x80, keyIdentifier(issuerKey)))));
  return explicit(3, sequence(...list));
}

/** The common name of a certificate this module made (its subject holds nothing else). */
function commonNameOf(certificate: X509Certificate): string {
  const match = /^CN=(.*)$/m.exec(certificate.subject);
  if (!match?.[1]) throw new Error(`the issuer's subject has no common name: ${certificate.subject}`);
  return match[1];
}

export function issueCertificate(request: CertificateRequest): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuerCertificate = request.issuer ? new X509Certificate(request.issuer.certPem) : undefined;
  const signingKey = request.issuer ? createPrivateKey(request.issuer.keyPem) : privateKey;
  const issuerName = issuerCertificate ? commonNameOf(issuerCertificate) : request.commonName;
  const issuerPublicKey = issuerCertificate ? issuerCertificate.publicKey : publicKey;
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = sequence(
    explicit(0, der(0x02, Buffer.from([2]))),
    unsignedInteger(serial),
    ECDSA_WITH_SHA256,
    commonName(issuerName),
    sequence(time(request.notBefore), time(request.notAfter)),
    commonName(request.commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions(request, publicKey, issuerPublicKey),
  );
  const signature = sign('sha256', tbs, signingKey);
  const certificate = sequence(tbs, ECDSA_WITH_SHA256, der(0x03, Buffer.from([0]), signature));
  return {
    certPem: pem('CERTIFICATE', certificate),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
