// The windows' store in the bucket: `<prefix>continuous/<key>` holds a window's folded text and
// `<prefix>continuous-pprof/<key>` its pprof, under a prefix of its own so that listing windows never
// has to tell a pprof from a window whose workload name happens to end like one; `<prefix>continuous-state/`
// holds the continuous sinks' cursors, which no listing of windows reaches for the same reason.
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { buffer } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import { checkStateName, type WindowStore } from './window-store.ts';

/** S3's most keys per DeleteObjects. */
const DELETE_BATCH = 1000;

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

/** Every object under a prefix, with its size, the prefix taken off its key. */
async function* objects(
  client: S3Client,
  Bucket: string,
  Prefix: string,
): AsyncIterable<{ key: string; bytes: number }> {
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? [])
      if (object.Key) yield { key: object.Key.slice(Prefix.length), bytes: object.Size ?? 0 };
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

async function deleteKeys(client: S3Client, Bucket: string, keys: readonly string[]): Promise<void> {
  for (let from = 0; from < keys.length; from += DELETE_BATCH) {
    const Objects = keys.slice(from, from + DELETE_BATCH).map((Key) => ({ Key }));
    await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }));
  }
}

async function getObject(client: S3Client, Bucket: string, Key: string): Promise<Buffer | undefined> {
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket, Key }));
    return await buffer(answer.Body as Readable);
  } catch (error) {
    if (error instanceof NoSuchKey) return undefined;
    throw error;
  }
}

export function s3Windows(client: S3Client, location: { bucket: string; prefix: string }): WindowStore {
  const root = `${location.prefix}continuous/`;
  const pprofRoot = `${location.prefix}continuous-pprof/`;
  const stateRoot = `${location.prefix}continuous-state/`;
  const Bucket = location.bucket;
  const store: WindowStore = {
    async put(key, body, pprof) {
      if (pprof) await client.send(new PutObjectCommand({ Bucket, Key: pprofRoot + key, Body: pprof }));
      await client.send(new PutObjectCommand({ Bucket, Key: root + key, Body: body }));
    },
    get: async (key) => (await getObject(client, Bucket, root + key))?.toString('utf8'),
    getProfile: (key) => getObject(client, Bucket, pprofRoot + key),
    async *list(prefix) {
      for await (const object of objects(client, Bucket, root + prefix)) yield prefix + object.key;
    },
    async *listSized(prefix) {
      const profiles = new Map<string, number>();
      for await (const object of objects(client, Bucket, pprofRoot + prefix))
        profiles.set(object.key, object.bytes);
      for await (const object of objects(client, Bucket, root + prefix))
        yield { key: prefix + object.key, bytes: object.bytes + (profiles.get(object.key) ?? 0) };
    },
    async *hours() {
      for await (const namespace of commonPrefixes(client, Bucket, root))
        for await (const hour of commonPrefixes(client, Bucket, `${root}${namespace}/`))
          yield { namespace, hour };
    },
    async remove(keys) {
      await deleteKeys(
        client,
        Bucket,
        keys.map((key) => root + key),
      );
      await deleteKeys(
        client,
        Bucket,
        keys.map((key) => pprofRoot + key),
      );
    },
    async removeHour(namespace, hour) {
      const prefix = `${namespace}/${hour}/`;
      const keys = new Set<string>();
      for (const under of [root, pprofRoot])
        for await (const object of objects(client, Bucket, under + prefix)) keys.add(prefix + object.key);
      await store.remove([...keys]);
    },
    namespaces: () => commonPrefixes(client, Bucket, root),
    readState: async (name) =>
      (await getObject(client, Bucket, stateRoot + checkStateName(name)))?.toString('utf8'),
    async writeState(name, body) {
      await client.send(new PutObjectCommand({ Bucket, Key: stateRoot + checkStateName(name), Body: body }));
    },
  };
  return store;
}
