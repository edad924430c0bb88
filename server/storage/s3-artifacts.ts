// The `s3` artifact store: immutable objects in an S3-compatible bucket, `<prefix>recordings/<id>/<name>.<nonce>`.
// A new key per upload, so an object is never overwritten and an entry never names an object that changes
// under a reader; the old object of a replaced artifact is removed once the entry names the new one, or
// collected as an orphan. Uploads stream in parts (lib-storage), holding at most
// UPLOAD_QUEUE × UPLOAD_PART_BYTES in memory whatever the artifact's size. No conditional writes.
import { randomBytes } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ArtifactName } from '../../core/contract/names.ts';
import type { ArtifactStore, ListedArtifact, OpenedArtifact, WrittenArtifact } from './artifact-store.ts';

/** Bytes of one multipart part (S3's least is 5 MiB); a smaller artifact is one PutObject. */
export const UPLOAD_PART_BYTES = 8 * 1024 * 1024;
/** Parts of one upload in flight at once. */
export const UPLOAD_QUEUE = 2;
/** Keys one DeleteObjects call takes (S3's most). */
const DELETE_BATCH = 1000;

export interface S3Location {
  bucket: string;
  /** Put before every key: '' or a path ending in '/'. */
  prefix: string;
}

export function createS3Artifacts(client: S3Client, location: S3Location): ArtifactStore {
  return new S3Artifacts(client, location);
}

function counting(counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      callback(null, chunk);
    },
  });
}

class S3Artifacts implements ArtifactStore {
  readonly kind = 's3';
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #root: string;

  constructor(client: S3Client, location: S3Location) {
    this.#client = client;
    this.#bucket = location.bucket;
    this.#root = `${location.prefix}recordings/`;
  }

  async write(id: string, name: ArtifactName, body: Readable): Promise<WrittenArtifact> {
    const key = `${this.#root}${id}/${name}.${randomBytes(8).toString('hex')}`;
    const counter = { bytes: 0 };
    const counted = body.pipe(counting(counter));
    // A failing body (a size cap, a cut connection) must fail the upload with its own error.
    let failure: Error | undefined;
    body.once('error', (error) => {
      failure = error;
      counted.destroy(error);
    });
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: key, Body: counted },
      partSize: UPLOAD_PART_BYTES,
      queueSize: UPLOAD_QUEUE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      throw failure ?? error;
    }
    if (failure !== undefined) {
      await this.remove([key]);
      throw failure;
    }
    return { key, bytes: counter.bytes };
  }

  holds(key: string, id: string): boolean {
    const own = `${this.#root}${id}/`;
    return key.startsWith(own) && !key.slice(own.length).includes('/') && key.length > own.length;
  }

  async open(key: string): Promise<OpenedArtifact | undefined> {
    if (!key.startsWith(this.#root)) return undefined;
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      if (!(answer.Body instanceof Readable) || answer.ContentLength === undefined) {
        throw new Error(`the bucket answered GetObject ${key} without a streaming body and a length`);
      }
      return { body: answer.Body, bytes: answer.ContentLength };
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }

  async remove(keys: readonly string[]): Promise<void> {
    const ours = keys.filter((key) => key.startsWith(this.#root));
    for (let start = 0; start < ours.length; start += DELETE_BATCH) {
      const batch = ours.slice(start, start + DELETE_BATCH);
      const answer = await this.#client.send(
        new DeleteObjectsCommand({
          Bucket: this.#bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const failed = (answer.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length > 0)
        throw new Error(
          `the bucket refused to delete ${failed.length} objects: ${failed[0]?.Key} (${failed[0]?.Code})`,
        );
    }
  }

  async *list(): AsyncIterable<ListedArtifact> {
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#root, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield { key: object.Key, modifiedAt: object.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  close(): void {
    this.#client.destroy();
  }
}
