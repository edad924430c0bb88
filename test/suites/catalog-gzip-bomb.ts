// A flame-tree.bin.gz that inflates to far more than any tree: every viewer of the recording would
// inflate it. The server inflates each one once on upload and refuses it past the viewers' limit.
// The suite runs on each artifact store (test/harness/catalog-stores.ts).
import type { StoreUnderTest } from '../harness/catalog-stores.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { MAX_COMPACT_TREE_BYTES } from '../../core/render/flame-tree-compact.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import { buildFixture, registerSidecar } from '../app/server/server-fixture.ts';
import { bearer, putStatus } from '../harness/server-calls.ts';

/** About 200 KiB of gzip that inflates to MAX_COMPACT_TREE_BYTES and 1 MiB more. */
export function gzipBomb(): Buffer {
  return gzipSync(Buffer.alloc(MAX_COMPACT_TREE_BYTES + 1024 * 1024), { level: 9 });
}

export function catalogGzipBombSuite(store: StoreUnderTest): void {
  describe(`a gzip bomb as the flame tree (${store.name} store)`, () => {
    it('is refused on upload with 413 naming the limit; a real tree and the other artifacts pass', async (t) => {
      const f = await buildFixture(t, { store });
      const { uploadToken } = registerSidecar(f, 'team-a', 'web', 1);
      await putStatus(f.recorder, uploadToken, finishedRecordingStatus('bomb'));
      const upload = (name: string, payload: Buffer) =>
        f.recorder.inject({
          method: 'PUT',
          url: `/api/v1/recordings/bomb/artifacts/${name}`,
          headers: { ...bearer(uploadToken), 'content-type': 'application/gzip' },
          payload,
        });
      const bomb = gzipBomb();
      assert.ok(bomb.length < 1024 * 1024, `${bomb.length} bytes on the wire`);
      const refused = await upload('flame-tree.bin.gz', bomb);
      assert.equal(refused.statusCode, 413, refused.body);
      assert.match(
        refused.json<{ message: string }>().message,
        new RegExp(`${MAX_COMPACT_TREE_BYTES} bytes`),
      );
      assert.equal((await upload('flame-tree.bin.gz', Buffer.from('not gzip'))).statusCode, 400);
      assert.deepEqual(f.catalog.get('bomb')?.artifacts, []);
      assert.equal((await upload('flame-tree.bin.gz', gzipSync(Buffer.alloc(4096)))).statusCode, 201);
      assert.equal((await upload('profile.pb.gz', bomb)).statusCode, 201, 'no viewer inflates a pprof');
    });
  });
}
