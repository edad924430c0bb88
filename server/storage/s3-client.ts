// The S3 client of the `s3` store, from `storage.s3`. Credentials named by files are read again every few
// minutes, so a rotated Secret takes effect without a restart. Checksums are computed only where S3
// requires them: the trailing checksums that the SDK adds by default are not understood by every
// S3-compatible server, and this store must work with any.
import { readFile } from 'node:fs/promises';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3StorageConfig } from './storage-config.ts';

/** How long credentials read from files are used before the files are read again. */
const CREDENTIALS_REREAD_MS = 5 * 60 * 1000;

async function readKeyFile(path: string, field: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(
      `storage.s3.${field} ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  const value = text.trim();
  if (value === '') throw new Error(`storage.s3.${field} ${path} is empty`);
  return value;
}

function fileCredentials(
  accessKeyIdFile: string,
  secretAccessKeyFile: string,
): S3ClientConfig['credentials'] {
  return async () => ({
    accessKeyId: await readKeyFile(accessKeyIdFile, 'accessKeyIdFile'),
    secretAccessKey: await readKeyFile(secretAccessKeyFile, 'secretAccessKeyFile'),
    expiration: new Date(Date.now() + CREDENTIALS_REREAD_MS),
  });
}

export function createS3Client(config: S3StorageConfig): S3Client {
  const { endpoint, accessKeyIdFile, secretAccessKeyFile } = config;
  return new S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(accessKeyIdFile !== undefined && secretAccessKeyFile !== undefined
      ? { credentials: fileCredentials(accessKeyIdFile, secretAccessKeyFile) }
      : {}),
  });
}

/** Reads the credential files once, so a wrong path stops start-up rather than the first upload. */
export async function checkS3Credentials(config: S3StorageConfig): Promise<void> {
  if (config.accessKeyIdFile !== undefined) await readKeyFile(config.accessKeyIdFile, 'accessKeyIdFile');
  if (config.secretAccessKeyFile !== undefined)
    await readKeyFile(config.secretAccessKeyFile, 'secretAccessKeyFile');
}
