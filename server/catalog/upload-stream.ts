// An upload's body on its way to the artifact store: counted and cut off at its allowance (the artifact
// limit or what is left of a quota), and the flame tree also inflated once and held to the viewers'
// limit. One streaming pass; nothing holds the body in memory.
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { ArtifactName } from '../../core/contract/names.ts';
import { MAX_COMPACT_TREE_BYTES } from '../../core/render/flame-tree-compact.ts';
import { capInflated } from './inflated-cap.ts';
import type { Allowance } from './retention.ts';

export function tooLarge(limit: Allowance, bytes: number): FurnaceError {
  const quota = limit.field !== 'maxArtifactBytes';
  return new FurnaceError(
    quota ? 'ERR_QUOTA_EXCEEDED' : 'ERR_PAYLOAD_TOO_LARGE',
    `artifact of ${bytes} bytes is larger than the limit of ${limit.bytes} bytes (${limit.field})`,
    { field: limit.field, limit: limit.bytes },
  );
}

function capBytes(limit: Allowance, counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      if (counter.bytes > limit.bytes) {
        callback(tooLarge(limit, counter.bytes));
        return;
      }
      callback(null, chunk);
    },
  });
}

/**
 * Runs `store` on the checked body. Resolves with what `store` resolved with; when a check fails, rejects
 * with the check's error (whatever `store` made of the body breaking off).
 */
export async function storeChecked<T>(
  name: ArtifactName,
  body: Readable,
  limit: Allowance,
  store: (checked: Readable) => Promise<T>,
): Promise<T> {
  const counter = { bytes: 0 };
  const checks =
    name === 'flame-tree.bin.gz' ? [capInflated(name, MAX_COMPACT_TREE_BYTES, 'MAX_COMPACT_TREE_BYTES')] : [];
  const checked = new PassThrough();
  const piped = pipeline(body, capBytes(limit, counter), ...checks, checked);
  let storeFailed = false;
  const storing = store(checked).catch((error: unknown) => {
    // A store that gave up (the bucket unreachable) no longer reads: end the body's pipeline too.
    storeFailed = !checked.destroyed;
    checked.destroy(error as Error);
    throw error;
  });
  const [pipedResult, stored] = await Promise.allSettled([piped, storing]);
  if (stored.status === 'rejected' && (storeFailed || pipedResult.status === 'fulfilled'))
    throw stored.reason;
  if (pipedResult.status === 'rejected') throw pipedResult.reason;
  if (stored.status === 'rejected') throw stored.reason;
  return stored.value;
}
