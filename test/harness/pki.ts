// A throwaway PKI for the test control plane, made with the openssl CLI (Node cannot issue certificates).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './processes.ts';

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim()}`);
  }
}

export interface IssuedCertificate {
  certPath: string;
  keyPath: string;
}

/** Creates `<name>.crt`/`<name>.key` in dir: a self-signed CA. */
export async function createCa(dir: string, name: string, subject: string): Promise<IssuedCertificate> {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath], dir);
  await openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      keyPath,
      '-subj',
      subject,
      '-days',
      '2',
      '-out',
      certPath,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  return { certPath, keyPath };
}

export interface LeafOptions {
  subject: string;
  /** DNS names and IP addresses; a serving certificate when present. */
  altNames?: { dns?: string[]; ip?: string[] };
  clientAuth?: boolean;
}

/** Issues `<name>.crt`/`<name>.key` signed by the CA. */
export async function issueCertificate(
  dir: string,
  ca: IssuedCertificate,
  name: string,
  options: LeafOptions,
): Promise<IssuedCertificate> {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  const csrPath = join(dir, `${name}.csr`);
  const extPath = join(dir, `${name}.ext`);
  const san = [
    ...(options.altNames?.dns ?? []).map((d) => `DNS:${d}`),
    ...(options.altNames?.ip ?? []).map((ip) => `IP:${ip}`),
  ];
  const usages = [san.length > 0 ? 'serverAuth' : '', options.clientAuth ? 'clientAuth' : ''].filter(Boolean);
  const ext = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${usages.join(',')}`,
    ...(san.length > 0 ? [`subjectAltName=${san.join(',')}`] : []),
  ];
  await writeFile(extPath, ext.join('\n') + '\n');
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath], dir);
  await openssl(['req', '-new', '-key', keyPath, '-subj', options.subject, '-out', csrPath], dir);
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      csrPath,
      '-CA',
      ca.certPath,
      '-CAkey',
      ca.keyPath,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      extPath,
      '-out',
      certPath,
    ],
    dir,
  );
  return { certPath, keyPath };
}

/** An RSA key pair for signing service-account tokens. */
export async function createSigningKey(
  dir: string,
  name: string,
): Promise<{ privatePath: string; publicPath: string }> {
  const privatePath = join(dir, `${name}.key`);
  const publicPath = join(dir, `${name}.pub`);
  await openssl(
    ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', privatePath],
    dir,
  );
  await openssl(['pkey', '-in', privatePath, '-pubout', '-out', publicPath], dir);
  return { privatePath, publicPath };
}

export async function readPem(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
