// `spec.storage.s3`: the server's `storage.s3.*` keys, and the credentials Secret mounted as the two
// files those keys name. Without a Secret the server's S3 client reads its environment (web identity).
import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { FurnaceS3Storage } from '../../core/crd/resources.ts';

/** Where the Deployment mounts the S3 credentials Secret. */
export const S3_CREDENTIALS_DIR = '/etc/furnace/s3';
const ACCESS_KEY_FILE = 'access-key-id';
const SECRET_KEY_FILE = 'secret-access-key';

/** The server config's `storage` section, or undefined for the catalog volume. */
export function serverStorage(s3: FurnaceS3Storage | undefined): Record<string, unknown> | undefined {
  if (s3 === undefined) return undefined;
  const config: Record<string, unknown> = { bucket: s3.bucket };
  for (const key of ['endpoint', 'region', 'prefix', 'forcePathStyle'] as const)
    if (s3[key] !== undefined) config[key] = s3[key];
  if (s3.secretName !== undefined) {
    config.accessKeyIdFile = `${S3_CREDENTIALS_DIR}/${ACCESS_KEY_FILE}`;
    config.secretAccessKeyFile = `${S3_CREDENTIALS_DIR}/${SECRET_KEY_FILE}`;
  }
  return { s3: config };
}

/** The credentials Secret's volume and mount, when spec.storage.s3 names one. */
export function storageVolumes(s3: FurnaceS3Storage | undefined): {
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
} {
  if (s3?.secretName === undefined) return { volumes: [], mounts: [] };
  const items = [
    { key: s3.accessKeyIdKey ?? 'accessKeyId', path: ACCESS_KEY_FILE },
    { key: s3.secretAccessKeyKey ?? 'secretAccessKey', path: SECRET_KEY_FILE },
  ];
  return {
    volumes: [{ name: 's3-credentials', secret: { secretName: s3.secretName, items } }],
    mounts: [{ name: 's3-credentials', mountPath: S3_CREDENTIALS_DIR, readOnly: true }],
  };
}
