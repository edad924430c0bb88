// Where windows are kept: beside the catalog's artifacts, in its store's place but under a prefix of
// their own (`<dataDir>/continuous/…` files for one replica, `<prefix>continuous/…` objects in the bucket),
// so the catalog's orphan collector, which lists `recordings/`, never sees them. A window is small
// (folded text, bounded by the upload's size) and written once under a key that names it.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { text } from 'node:stream/consumers';
import type { Readable } from 'node:stream';

export interface WindowStore {
  put(key: string, body: string): Promise<void>;
  get(key: string): Promise<string | undefined>;
  /** Keys under a prefix (`<namespace>/<hour>/`), in no particular order. */
  list(prefix: string): AsyncIterable<string>;
  /** Every hour bucket, as its prefix `<namespace>/<YYYYMMDDHH>/` (retention's walk). */
  hours(): AsyncIterable<{ namespace: string; hour: string }>;
  /** Removes every window of an hour bucket. */
  removeHour(namespace: string, hour: string): Promise<void>;
}

const SUFFIX = '.folded';
/** S3's most keys per DeleteObjects. */
const DELETE_BATCH = 1000;

export function filesystemWindows(dataDir: string): WindowStore {
  const root = join(dataDir, 'continuous');
  return {
    async put(key, body) {
      const path = join(root, key + SUFFIX);
      await mkdir(dirname(path), { recursive: true });
      const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(temp, body);
      await rename(temp, path);
    },
    get: (key) => readFile(join(root, key + SUFFIX), 'utf8').catch(() => undefined),
    async *list(prefix) {
      const names = await readdir(join(root, prefix)).catch(() => [] as string[]);
      for (const name of names) if (name.endsWith(SUFFIX)) yield prefix + name.slice(0, -SUFFIX.length);
    },
    async *hours() {
      for (const namespace of await readdir(root).catch(() => [] as string[]))
        for (const hour of await readdir(join(root, namespace)).catch(() => [] as string[]))
          yield { namespace, hour };
    },
    async removeHour(namespace, hour) {
      await rm(join(root, namespace, hour), { recursive: true, force: true });
    },
  };
}

/** Names under a prefix one level down (`Delimiter: /`): the namespaces, or the hours of one. */
async function* commonPrefixes(client: S3Client, Bucket: string, Prefix: string): AsyncIterable<string> {
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket, Prefix, Delimiter: '/', ContinuationToken: token }),
    );
    for (const common of page.CommonPrefixes ?? [])
      if (common.Prefix) yield common.Prefix.slice(Prefix.length, -1);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

export function s3Windows(client: S3Client, location: { bucket: string; prefix: string }): WindowStore {
  const root = `${location.prefix}continuous/`;
  const Bucket = location.bucket;
  const store: WindowStore = {
    async put(key, body) {
      await client.send(new PutObjectCommand({ Bucket, Key: root + key, Body: body }));
    },
    async get(key) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket, Key: root + key }));
        return await text(answer.Body as Readable);
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
    async *list(prefix) {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket, Prefix: root + prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key) yield object.Key.slice(root.length);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    },
    async *hours() {
      for await (const namespace of commonPrefixes(client, Bucket, root))
        for await (const hour of commonPrefixes(client, Bucket, `${root}${namespace}/`))
          yield { namespace, hour };
    },
    async removeHour(namespace, hour) {
      const keys: string[] = [];
      for await (const key of store.list(`${namespace}/${hour}/`)) keys.push(root + key);
      for (let from = 0; from < keys.length; from += DELETE_BATCH) {
        const Objects = keys.slice(from, from + DELETE_BATCH).map((Key) => ({ Key }));
        await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }));
      }
    },
  };
  return store;
}
