// `storage.s3.*`: a bucket makes artifacts objects; every other key needs the bucket, credentials are
// files (both or neither), the prefix cannot climb out of itself, and shared entries bound the catalog.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../core/config/config-error.ts';
import { resolveConfig } from '../../server/config/config.ts';
import { checkSharedCatalogBound } from '../../server/config/config-storage.ts';
import { createConfigReader } from '../../server/config/config-reader.ts';
import { expectedError } from '../harness/expected-error.ts';

function storageOf(s3: Record<string, unknown>) {
  return resolveConfig({ local: true, env: {}, file: { path: 'config.yaml', raw: { storage: { s3 } } } })
    .storage;
}

const refusal = (run: () => unknown) => expectedError(ConfigError, run, 'expected a ConfigError');

describe('storage settings', () => {
  it('is the filesystem store without a bucket, and the s3 store with one', () => {
    assert.deepEqual(
      resolveConfig({ local: true, env: {}, file: { path: 'config.yaml', raw: {} } }).storage,
      {},
    );
    assert.deepEqual(
      storageOf({
        bucket: 'furnace-catalog',
        endpoint: 'https://s3.example.com',
        prefix: 'prod/',
        accessKeyIdFile: '/etc/furnace/s3/access-key-id',
        secretAccessKeyFile: '/etc/furnace/s3/secret-access-key',
      }).s3,
      {
        bucket: 'furnace-catalog',
        endpoint: 'https://s3.example.com',
        region: 'us-east-1',
        prefix: 'prod/',
        forcePathStyle: true,
        accessKeyIdFile: '/etc/furnace/s3/access-key-id',
        secretAccessKeyFile: '/etc/furnace/s3/secret-access-key',
      },
    );
    assert.equal(storageOf({ bucket: 'on-aws' }).s3?.forcePathStyle, false);
  });

  it('refuses keys without a bucket, a bad bucket or prefix, and half the credentials, naming the key', () => {
    assert.equal(refusal(() => storageOf({ endpoint: 'https://s3.example.com' })).key, 'storage.s3.bucket');
    assert.equal(refusal(() => storageOf({ bucket: 'Not_A_Bucket' })).key, 'storage.s3.bucket');
    for (const prefix of ['../', 'a/../', 'no-slash', '/abs/'])
      assert.equal(refusal(() => storageOf({ bucket: 'b-1', prefix })).key, 'storage.s3.prefix', prefix);
    const half = refusal(() => storageOf({ bucket: 'b-1', accessKeyIdFile: '/x' }));
    assert.equal(half.key, 'storage.s3.secretAccessKeyFile');
    assert.equal(refusal(() => storageOf({ bucket: 'b-1', endpoint: 'ftp://x' })).key, 'storage.s3.endpoint');
  });

  it('holds retention.maxCount to what etcd keeps well when entries are shared in a cluster', () => {
    const reader = createConfigReader({ path: 'config.yaml', raw: { retention: { maxCount: 60_000 } } }, {});
    const s3 = { s3: { bucket: 'b-1', region: 'r', prefix: '', forcePathStyle: true } };
    const error = refusal(() => checkSharedCatalogBound(reader, s3, 60_000, false));
    assert.equal(error.key, 'retention.maxCount');
    assert.match(error.message, /at most 50000 with storage\.s3 in a cluster/);
    checkSharedCatalogBound(reader, s3, 50_000, false);
    checkSharedCatalogBound(reader, s3, 60_000, true);
    checkSharedCatalogBound(reader, {}, 60_000, false);
  });
});
