// The `s3` symbol store (N replicas): objects `<prefix>symbols/<namespace>/<build id>.debug` in the
// catalog's bucket. A build id already there is not written again (asked with HeadObject first); two
// replicas storing one build id at the same moment both write a valid file of that build id, and either
// stays. Uploads stream in parts from the server's temp file.
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { UPLOAD_PART_BYTES, UPLOAD_QUEUE, type S3Location } from '../storage/s3-artifacts.ts';
import { parseSymbolKey, symbolKey, type StoredSymbol, type SymbolStore } from './symbol-store.ts';

function missing(error: unknown): boolean {
  return error instanceof NoSuchKey || error instanceof NotFound;
}

export async function openS3Symbols(
  client: S3Client,
  location: S3Location,
  dataDir: string,
): Promise<SymbolStore> {
  const tmpDir = join(dataDir, 'symbols-tmp');
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  return new S3Symbols(client, location, tmpDir);
}

class S3Symbols implements SymbolStore {
  readonly kind = 's3';
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #root: string;

  readonly tmpDir: string;

  constructor(client: S3Client, location: S3Location, tmpDir: string) {
    this.tmpDir = tmpDir;
    this.#client = client;
    this.#bucket = location.bucket;
    this.#root = `${location.prefix}symbols/`;
  }

  #key(namespace: string, buildId: string): string {
    return this.#root + symbolKey(namespace, buildId);
  }

  async #head(key: string, buildId: string): Promise<StoredSymbol | undefined> {
    try {
      const answer = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return { buildId, bytes: answer.ContentLength ?? 0, storedAt: answer.LastModified?.getTime() ?? 0 };
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  }

  async *#listed(prefix: string): AsyncIterable<StoredSymbol & { namespace: string }> {
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        const parsed =
          object.Key === undefined ? undefined : parseSymbolKey(object.Key.slice(this.#root.length));
        if (!parsed) continue;
        yield { ...parsed, bytes: object.Size ?? 0, storedAt: object.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /** The object's LastModified, by the bucket's clock, is when it was stored. */
  async put(namespace: string, buildId: string, path: string, _storedAt: number) {
    const key = this.#key(namespace, buildId);
    const there = await this.#head(key, buildId);
    if (there) return { stored: false, file: there };
    const upload = new Upload({
      client: this.#client,
      params: {
        Bucket: this.#bucket,
        Key: key,
        Body: createReadStream(path),
        ContentLength: (await stat(path)).size,
      },
      partSize: UPLOAD_PART_BYTES,
      queueSize: UPLOAD_QUEUE,
      leavePartsOnError: false,
    });
    await upload.done();
    const file = await this.#head(key, buildId);
    if (!file) throw new Error(`the bucket does not show ${key} just written`);
    return { stored: true, file };
  }

  get(namespace: string, buildId: string): Promise<StoredSymbol | undefined> {
    return this.#head(this.#key(namespace, buildId), buildId);
  }

  async open(namespace: string, buildId: string): Promise<{ body: Readable; bytes: number } | undefined> {
    const key = this.#key(namespace, buildId);
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      if (!(answer.Body instanceof Readable) || answer.ContentLength === undefined)
        throw new Error(`the bucket answered GetObject ${key} without a streaming body and a length`);
      return { body: answer.Body, bytes: answer.ContentLength };
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  }

  async list(namespace: string): Promise<StoredSymbol[]> {
    const prefix = this.#key(namespace, '0000').replace(/[^/]+$/, '');
    const files: StoredSymbol[] = [];
    for await (const { namespace: _namespace, ...file } of this.#listed(prefix)) files.push(file);
    return files;
  }

  all(): AsyncIterable<StoredSymbol & { namespace: string }> {
    return this.#listed(this.#root);
  }

  async remove(namespace: string, buildId: string): Promise<boolean> {
    const key = this.#key(namespace, buildId);
    const there = (await this.#head(key, buildId)) !== undefined;
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    return there;
  }
}
