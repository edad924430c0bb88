// Where windows are kept: beside the catalog's artifacts, in its store's place but under a prefix of
// their own (`<dataDir>/continuous/…` files for one replica, `<prefix>continuous/…` objects in the bucket),
// so the catalog's orphan collector, which lists `recordings/`, never sees them. A window is small
// (folded text, bounded by the upload's size) and written once under a key that names it.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import {
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
}

const SUFFIX = '.folded';

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
  };
}

export function s3Windows(client: S3Client, location: { bucket: string; prefix: string }): WindowStore {
  const root = `${location.prefix}continuous/`;
  const Bucket = location.bucket;
  return {
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
  };
}
