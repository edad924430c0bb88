// Certificates on disk for listeners that read them from files, rotated the way cert-manager or a
// Secret update replaces them, and the certificate a listener actually serves.
import { X509Certificate } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { DevCertificates } from '../../server/webhook/tls.ts';

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** Writes tls.crt, tls.key and ca.crt into dir. */
export async function writeCertificateFiles(
  dir: string,
  certs: Pick<DevCertificates, 'certPem' | 'keyPem' | 'caPem'>,
): Promise<CertificateFiles> {
  const files = {
    certFile: join(dir, 'tls.crt'),
    keyFile: join(dir, 'tls.key'),
    caFile: join(dir, 'ca.crt'),
  };
  await writeFile(files.certFile, certs.certPem);
  await writeFile(files.keyFile, certs.keyPem);
  await writeFile(files.caFile, certs.caPem);
  return files;
}

/** Replaces a file in one step (a rename), so that a watcher never reads half of it. */
export async function writeAtomically(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content);
  await rename(`${path}.tmp`, path);
}

/** SHA-256 fingerprint of the certificate a loopback TLS listener presents, verified against ca. */
export function servedFingerprint(port: number, ca: string, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, ...(servername ? { servername } : {}) }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

/** SHA-256 fingerprint of a PEM certificate, in the form servedFingerprint gives. */
export function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}
