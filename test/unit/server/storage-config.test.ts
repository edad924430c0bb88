// `storage.s3.*`: a bucket makes artifacts objects; every other key needs the bucket, credentials are
// files (both or neither), the prefix cannot climb out of itself, and shared entries bound the catalog.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../core/config/config-error.ts';
import { resolveConfig } from '../../../server/config/config.ts';
import { checkSharedCatalogBound, oldSpaceFor } from '../../../server/config/config-storage.ts';
import { createConfigReader } from '../../../server/config/config-reader.ts';
import { expectedError } from '../../harness/expected-error.ts';

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
    const reader = createConfigReader({ path: 'config.yaml', raw: { retention: { maxCount: 120_000 } } }, {});
    const s3 = { s3: { bucket: 'b-1', region: 'r', prefix: '', forcePathStyle: true } };
    const roomy = 2 ** 40;
    const error = refusal(() =>
      checkSharedCatalogBound(reader, s3, 120_000, { local: false, heapLimitBytes: roomy }),
    );
    assert.equal(error.key, 'retention.maxCount');
    assert.match(error.message, /at most 100000 with storage\.s3 in a cluster/);
    checkSharedCatalogBound(reader, s3, 100_000, { local: false, heapLimitBytes: roomy });
    checkSharedCatalogBound(reader, s3, 120_000, { local: true, heapLimitBytes: roomy });
    checkSharedCatalogBound(reader, {}, 120_000, { local: false, heapLimitBytes: roomy });
  });

  it('holds retention.maxCount to what the heap holds below the load-shedding point, naming the heap it needs', () => {
    const reader = createConfigReader({ path: 'config.yaml', raw: { retention: { maxCount: 100_000 } } }, {});
    const s3 = { s3: { bucket: 'b-1', region: 'r', prefix: '', forcePathStyle: true } };
    // V8's heap limit in a 256 MiB pod at the image's --max-old-space-size=128 (docs/benchmarks.md).
    const imageHeap = 131 * 2 ** 20;
    const error = refusal(() =>
      checkSharedCatalogBound(reader, s3, 100_000, { local: false, heapLimitBytes: imageHeap }),
    );
    assert.equal(error.key, 'retention.maxCount');
    assert.match(error.message, /at most \d+ with storage\.s3 in a cluster and this heap/);
    assert.match(error.message, /--max-old-space-size=(\d+)/);
    const oldSpace = Number(/--max-old-space-size=(\d+)/.exec(error.message)?.[1]);
    assert.equal(oldSpace, oldSpaceFor(100_000));
    checkSharedCatalogBound(reader, s3, 100_000, { local: false, heapLimitBytes: oldSpace * 2 ** 20 });
    checkSharedCatalogBound(reader, s3, 50_000, { local: false, heapLimitBytes: imageHeap });
    checkSharedCatalogBound(reader, s3, 100_000, { local: true, heapLimitBytes: imageHeap });
    checkSharedCatalogBound(reader, {}, 100_000, { local: false, heapLimitBytes: imageHeap });
  });
});
