// The server's CA and serving certificate on Kubernetes (OpenShift's service CA does this there): decide
// what to renew and issue it. Pure but for key generation (asynchronous: WebCrypto) and the clock passed in.
//
// The CA is renewed when less than `renewFraction` of its lifetime remains; the serving certificate when
// less than that share of its own remains, when the CA changed, or when its DNS names differ from the
// Services'. The trust bundle (the webhook's caBundle, the sidecars' `furnace-server-ca` ConfigMap and the
// server's `ca.crt`) holds the current CA and every earlier one that has not expired, so pods and the API
// server keep trusting the serving certificate of before a CA rotation until the server serves the new
// one. An earlier CA's key is gone with the rotation: nothing new can be signed by it.
import { X509Certificate } from 'node:crypto';
import { issueCertificate, type KeyPairPem } from '../../core/x509/issue-certificate.ts';

export interface CertificatePolicy {
  caLifetimeMs: number;
  servingLifetimeMs: number;
  /** Renew when less than this share (0..1) of a certificate's lifetime remains. */
  renewFraction: number;
}

export const DEFAULT_CERTIFICATE_POLICY: Readonly<CertificatePolicy> = {
  caLifetimeMs: 5 * 365 * 86_400_000,
  servingLifetimeMs: 365 * 86_400_000,
  renewFraction: 1 / 3,
};

export interface ServerCertificates {
  ca: KeyPairPem;
  /** PEM bundle of the current CA and earlier ones that have not expired, current first. */
  bundlePem: string;
  serving: KeyPairPem;
}

export interface CertificateDecision {
  certificates: ServerCertificates;
  /** Why something was issued: `ca-missing`, `ca-expiring`, `serving-expiring`, `serving-names`, … */
  renewed: string[];
  /** When the next renewal falls due (ms since the epoch). */
  nextRenewalAt: number;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n?/g;

export function splitPemBundle(bundle: string): string[] {
  return (bundle.match(PEM_CERTIFICATE) ?? []).map((block) => (block.endsWith('\n') ? block : `${block}\n`));
}

function parse(pem: string | undefined): X509Certificate | undefined {
  if (!pem) return undefined;
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function renewAt(certificate: X509Certificate, fraction: number): number {
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  return to - (to - from) * fraction;
}

/** The DNS names of the serving certificate as the certificate states them. */
export function dnsNamesOf(certificate: X509Certificate): string[] {
  return (certificate.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4))
    .sort();
}

/** Backdated a little for clocks that run behind, never by more than a tenth of the lifetime. */
function validity(now: number, lifetimeMs: number, cap?: number): { notBefore: Date; notAfter: Date } {
  const notAfter = Math.min(now + lifetimeMs, cap ?? Number.POSITIVE_INFINITY);
  return { notBefore: new Date(now - Math.min(300_000, lifetimeMs / 10)), notAfter: new Date(notAfter) };
}

async function caDecision(
  stored: Partial<ServerCertificates> | undefined,
  policy: CertificatePolicy,
  now: number,
): Promise<{ ca: KeyPairPem; reason?: string }> {
  const current = parse(stored?.ca?.certPem);
  const usable = current !== undefined && stored?.ca?.keyPem !== undefined && current.ca;
  if (usable && renewAt(current, policy.renewFraction) > now) return { ca: stored.ca as KeyPairPem };
  const ca = await issueCertificate({
    commonName: `furnace-ca-${new Date(now).toISOString().replace(/[-:.]/g, '').toLowerCase()}`,
    isCa: true,
    ...validity(now, policy.caLifetimeMs),
  });
  return { ca, reason: usable ? 'ca-expiring' : 'ca-missing' };
}

function servingReason(
  stored: Partial<ServerCertificates> | undefined,
  ca: X509Certificate,
  dnsNames: readonly string[],
  { policy, now }: { policy: CertificatePolicy; now: number },
): string | undefined {
  const serving = parse(stored?.serving?.certPem);
  if (!serving || !stored?.serving?.keyPem) return 'serving-missing';
  if (!serving.checkIssued(ca) || !serving.verify(ca.publicKey)) return 'serving-other-ca';
  if (renewAt(serving, policy.renewFraction) <= now) return 'serving-expiring';
  if (dnsNamesOf(serving).join(',') !== [...dnsNames].sort().join(',')) return 'serving-names';
  return undefined;
}

function bundleOf(ca: KeyPairPem, previous: string | undefined, now: number): string {
  const earlier = splitPemBundle(previous ?? '').filter((pem) => {
    const certificate = parse(pem);
    return (
      certificate !== undefined && Date.parse(certificate.validTo) > now && pem.trim() !== ca.certPem.trim()
    );
  });
  return [ca.certPem, ...earlier].join('');
}

/** What the server's certificates should be now, issuing what is missing or due (see the header). */
export async function decideCertificates(
  stored: Partial<ServerCertificates> | undefined,
  dnsNames: readonly string[],
  policy: CertificatePolicy,
  now: number,
): Promise<CertificateDecision> {
  const renewed: string[] = [];
  const { ca, reason: caReason } = await caDecision(stored, policy, now);
  if (caReason) renewed.push(caReason);
  const caCertificate = new X509Certificate(ca.certPem);
  const reason = servingReason(stored, caCertificate, dnsNames, { policy, now });
  let serving = stored?.serving as KeyPairPem;
  if (reason) {
    renewed.push(reason);
    serving = await issueCertificate({
      commonName: dnsNames[0] ?? 'furnace',
      isCa: false,
      dnsNames,
      issuer: ca,
      ...validity(now, policy.servingLifetimeMs, Date.parse(caCertificate.validTo)),
    });
  }
  const servingCertificate = new X509Certificate(serving.certPem);
  const nextRenewalAt = Math.min(
    renewAt(caCertificate, policy.renewFraction),
    renewAt(servingCertificate, policy.renewFraction),
  );
  return {
    certificates: { ca, serving, bundlePem: bundleOf(ca, stored?.bundlePem, now) },
    renewed,
    nextRenewalAt,
  };
}
