// `storage.s3.*`: the bucket of the `s3` artifact store (server/storage/). Unset means the `filesystem`
// store. Checked like every other key; credentials are files (a mounted Secret), never values. Pure.
import { getHeapStatistics } from 'node:v8';
import { ConfigError } from '../../core/config/config-error.ts';
import { isHttpUrl, readBoolean, readText, type Setting } from '../../core/config/config-values.ts';
import { DEFAULT_S3_REGION, type S3StorageConfig, type StorageConfig } from '../storage/storage-config.ts';
import type { ConfigReader } from './config-reader.ts';
import { MAX_SHARED_ENTRIES } from '../../core/crd/recording-entry-crd.ts';
import { HEAP_SHARE } from '../operations/load-shedding.ts';

/** S3's bucket naming rules (lower case, digits, dots and dashes, 3 to 63 long). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Segments of printable ASCII without spaces or backslashes, each ending in '/'. */
const PREFIX = /^([!-.0-[\]-~]+\/)*$/;
const MAX_PREFIX = 512;

function refuse(setting: Setting, allowed: string): ConfigError {
  return new ConfigError(setting.key, setting.value, allowed, setting.source);
}

function readPrefix(setting: Setting): string {
  const prefix = readText(setting, '');
  if (prefix.length > MAX_PREFIX || !PREFIX.test(prefix) || prefix.split('/').includes('..'))
    throw refuse(setting, `'' or path segments each ending in '/', at most ${MAX_PREFIX} characters`);
  return prefix;
}

function readFiles(reader: ConfigReader): Pick<S3StorageConfig, 'accessKeyIdFile' | 'secretAccessKeyFile'> {
  const idSetting = reader.get('storage.s3.accessKeyIdFile');
  const secretSetting = reader.get('storage.s3.secretAccessKeyFile');
  const accessKeyIdFile = readText(idSetting, '');
  const secretAccessKeyFile = readText(secretSetting, '');
  if ((accessKeyIdFile === '') !== (secretAccessKeyFile === ''))
    throw refuse(
      accessKeyIdFile === '' ? idSetting : secretSetting,
      'accessKeyIdFile and secretAccessKeyFile go together (or neither: the S3 client reads its environment)',
    );
  return accessKeyIdFile === '' ? {} : { accessKeyIdFile, secretAccessKeyFile };
}

export function readStorage(reader: ConfigReader): StorageConfig {
  const bucketSetting = reader.get('storage.s3.bucket');
  const endpointSetting = reader.get('storage.s3.endpoint');
  const bucket = readText(bucketSetting, '');
  const endpoint = readText(endpointSetting, '');
  const region = readText(reader.get('storage.s3.region'), DEFAULT_S3_REGION);
  const prefix = readPrefix(reader.get('storage.s3.prefix'));
  const files = readFiles(reader);
  const pathStyle = readBoolean(reader.get('storage.s3.forcePathStyle'), endpoint !== '');
  const anySet = endpoint !== '' || prefix !== '' || files.accessKeyIdFile !== undefined;
  if (bucket === '') {
    if (anySet) throw refuse(bucketSetting, 'a bucket name whenever another storage.s3 key is set');
    return {};
  }
  if (!BUCKET.test(bucket)) throw refuse(bucketSetting, 'an S3 bucket name: 3 to 63 of a-z, 0-9, dot, dash');
  if (endpoint !== '' && !isHttpUrl(endpoint))
    throw refuse(endpointSetting, 'an http:// or https:// URL (unset: the AWS endpoint of the region)');
  if (region === '' || region.length > 64) throw refuse(reader.get('storage.s3.region'), 'a region name');
  return {
    s3: {
      bucket,
      region,
      prefix,
      forcePathStyle: pathStyle,
      ...files,
      ...(endpoint !== '' ? { endpoint } : {}),
    },
  };
}

/**
 * The heap a replica needs for a shared catalog of `maxCount` entries: what the server holds beside them,
 * and each entry as the index holds it, a real perf recording's (nine artifacts and their keys: 970 bytes
 * measured in-process). A replica of 100,000 such entries was left 116 MiB by a full collection (24 MiB
 * beside 92.5 MiB of entries); the figures here leave 20 MiB more (docs/benchmarks.md,
 * `bench:catalog`).
 */
export const SERVER_BASE_HEAP_BYTES = 40 * 2 ** 20;
export const SHARED_ENTRY_HEAP_BYTES = 1_000;

export function sharedCatalogHeapBytes(maxCount: number): number {
  return SERVER_BASE_HEAP_BYTES + maxCount * SHARED_ENTRY_HEAP_BYTES;
}

/** The `--max-old-space-size` (MiB, a multiple of 32) under which sharedCatalogHeapBytes stays below the load-shedding share. */
export function oldSpaceFor(maxCount: number): number {
  return Math.ceil(sharedCatalogHeapBytes(maxCount) / HEAP_SHARE / 2 ** 20 / 32) * 32;
}

/**
 * With a bucket in a cluster, catalog entries are RecordingEntry objects in etcd, every replica holds all of
 * them in its heap: retention.maxCount is held to MAX_SHARED_ENTRIES so the catalog stays well inside etcd's
 * limits (docs/architecture.md), and to what `replica.heapLimitBytes` (V8's, the process's own unless given) holds
 * below the load-shedding point; a replica that starts with more would refuse every request once listed.
 */
export function checkSharedCatalogBound(
  reader: ConfigReader,
  storage: StorageConfig,
  maxCount: number,
  replica: { local: boolean; heapLimitBytes?: number },
): void {
  const { local, heapLimitBytes = getHeapStatistics().heap_size_limit } = replica;
  if (local || storage.s3 === undefined) return;
  if (maxCount > MAX_SHARED_ENTRIES)
    throw refuse(
      reader.get('retention.maxCount'),
      `at most ${MAX_SHARED_ENTRIES} with storage.s3 in a cluster (each entry is a RecordingEntry object in etcd)`,
    );
  const needed = sharedCatalogHeapBytes(maxCount);
  if (needed <= heapLimitBytes * HEAP_SHARE) return;
  const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
  throw refuse(
    reader.get('retention.maxCount'),
    `at most ${Math.floor((heapLimitBytes * HEAP_SHARE - SERVER_BASE_HEAP_BYTES) / SHARED_ENTRY_HEAP_BYTES)} with storage.s3 in a cluster and this heap: every replica holds the catalog in its heap, about ${mib(needed)} MiB for ${maxCount} entries, over ${Math.round(HEAP_SHARE * 100)} % of its heap limit of ${mib(heapLimitBytes)} MiB (give the server NODE_OPTIONS=--max-old-space-size=${oldSpaceFor(maxCount)} and a memory limit ${oldSpaceFor(maxCount) + 128}Mi or more)`,
  );
}
