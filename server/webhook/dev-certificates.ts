// A throwaway CA and serving certificate for local runs and tests, made with the openssl CLI (Node can
// verify certificates but not issue them). The CA PEM is what goes into the webhook's caBundle.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DevCertificates {
  caPem: string;
  caKeyPem: string;
  certPem: string;
  keyPem: string;
}

export interface DevCertificateOptions {
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Sign with this CA instead of a new one (rotation with an unchanged caBundle). */
  ca?: { certPem: string; keyPem: string };
  days?: number;
  commonName?: string;
}

export const DEV_DNS_NAMES = [
  'localhost',
  'furnace',
  'furnace.furnace',
  'furnace.furnace.svc',
  'furnace.furnace.svc.cluster.local',
];
export const DEV_IP_ADDRESSES = ['127.0.0.1', '::1'];

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`openssl ${args[0] ?? ''} failed: ${stderr.trim()}`);
  }
}

async function newKey(dir: string, file: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file], dir);
}

async function createCa(dir: string, days: number): Promise<void> {
  await newKey(dir, 'ca.key');
  await openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-subj',
      '/CN=furnace-webhook-dev-ca',
      '-days',
      String(days),
      '-out',
      'ca.crt',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

export async function generateDevCertificates(options: DevCertificateOptions = {}): Promise<DevCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'furnace-webhook-tls-'));
  const days = options.days ?? 365;
  try {
    if (options.ca) {
      await writeFile(join(dir, 'ca.crt'), options.ca.certPem);
      await writeFile(join(dir, 'ca.key'), options.ca.keyPem, { mode: 0o600 });
    } else {
      await createCa(dir, days);
    }
    const san = [
      ...(options.dnsNames ?? DEV_DNS_NAMES).map((n) => `DNS:${n}`),
      ...(options.ipAddresses ?? DEV_IP_ADDRESSES).map((ip) => `IP:${ip}`),
    ].join(',');
    await writeFile(
      join(dir, 'tls.ext'),
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${san}`,
      ].join('\n') + '\n',
    );
    await newKey(dir, 'tls.key');
    const subject = `/CN=${options.commonName ?? 'furnace-webhook'}`;
    await openssl(['req', '-new', '-key', 'tls.key', '-subj', subject, '-out', 'tls.csr'], dir);
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        'tls.csr',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        String(days),
        '-extfile',
        'tls.ext',
        '-out',
        'tls.crt',
      ],
      dir,
    );
    const [caPem, caKeyPem, certPem, keyPem] = await Promise.all(
      ['ca.crt', 'ca.key', 'tls.crt', 'tls.key'].map((f) => readFile(join(dir, f), 'utf8')),
    );
    return { caPem: caPem ?? '', caKeyPem: caKeyPem ?? '', certPem: certPem ?? '', keyPem: keyPem ?? '' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
