// `storage.*`: where artifacts live. No `storage.s3` means the `filesystem` store under dataDir (one
// replica); `storage.s3` puts them in an S3-compatible bucket, which is what lets several replicas serve
// one catalog. Secrets are never values here: the keys are files a Secret mounts, or the S3 client's
// own environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, web identity) when no file is named.

export interface S3StorageConfig {
  /** The S3 API's URL (`https://s3.example.com`); unset means AWS's own endpoint for the region. */
  endpoint?: string;
  bucket: string;
  region: string;
  /** Put before every key the catalog writes: '' or a path ending in '/'. */
  prefix: string;
  /** Files holding the access key id and the secret key (a mounted Secret). */
  accessKeyIdFile?: string;
  secretAccessKeyFile?: string;
  /** `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key` (most non-AWS servers). */
  forcePathStyle: boolean;
}

export interface StorageConfig {
  s3?: S3StorageConfig;
}

export const DEFAULT_S3_REGION = 'us-east-1';
