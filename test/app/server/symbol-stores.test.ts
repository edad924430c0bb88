// The symbol stores on what they run on: files under the data directory and a real S3 server (versitygw,
// test/harness/s3-server.ts). Both keep a build id once per namespace, list, open, remove and walk the same
// way, keep namespaces apart, and refuse a name that is no namespace or build id before it makes a path.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, it, type TestContext } from 'node:test';
import { openFilesystemSymbols } from '../../../server/symbols/filesystem-symbols.ts';
import { openS3Symbols } from '../../../server/symbols/s3-symbols.ts';
import type { SymbolStore } from '../../../server/symbols/symbol-store.ts';
import { createS3Client } from '../../../server/storage/s3-client.ts';
import {
  filesystemStore,
  s3StorageOf,
  s3StoreForFile,
  type StoreUnderTest,
} from '../../harness/catalog-stores.ts';
import { workDir } from '../../harness/temp-dirs.ts';

const s3 = s3StoreForFile();
const ID = 'ab'.repeat(20);

async function storeOn(t: TestContext, under: StoreUnderTest, dataDir: string): Promise<SymbolStore> {
  if (under.name === 'filesystem') return openFilesystemSymbols(dataDir);
  const storage = s3StorageOf(
    under.server?.() ?? assert.fail('no S3 server'),
    `t-${randomBytes(6).toString('hex')}/`,
  );
  const client = createS3Client(storage);
  t.after(() => client.destroy());
  return openS3Symbols(client, storage, dataDir);
}

async function fileWith(store: SymbolStore, body: string): Promise<string> {
  const path = join(store.tmpDir, `${randomBytes(6).toString('hex')}.upload`);
  await writeFile(path, body);
  return path;
}

for (const under of [filesystemStore, s3]) {
  describe(`symbol store on ${under.name}`, () => {
    it('keeps the first file of a build id per namespace, lists, opens, walks and removes it', async (t) => {
      const dataDir = await workDir(t, `symbols-${under.name}`);
      const store = await storeOn(t, under, dataDir);
      const first = await store.put('team-a', ID, await fileWith(store, 'first file'), Date.now());
      assert.deepEqual([first.stored, first.file.bytes, first.file.buildId], [true, 10, ID]);
      const second = await store.put('team-a', ID, await fileWith(store, 'second, longer file'), Date.now());
      assert.equal(second.stored, false);
      const other = await store.put('team-b', ID, await fileWith(store, 'team b file'), Date.now());
      assert.equal(other.stored, true);
      const opened = await store.open('team-a', ID);
      assert.equal(await text(opened?.body ?? assert.fail('not there')), 'first file');
      assert.equal(
        await text((await store.open('team-b', ID))?.body ?? assert.fail('not there')),
        'team b file',
      );
      assert.deepEqual(
        (await store.list('team-a')).map((f) => [f.buildId, f.bytes]),
        [[ID, 10]],
      );
      assert.equal((await store.get('team-a', ID))?.bytes, 10);
      assert.equal(await store.open('team-c', ID), undefined);
      const all: string[] = [];
      for await (const file of store.all()) all.push(`${file.namespace}/${file.buildId}`);
      assert.deepEqual(all.sort(), [`team-a/${ID}`, `team-b/${ID}`]);
      assert.equal(await store.remove('team-a', ID), true);
      assert.equal(await store.remove('team-a', ID), false);
      assert.equal(await store.open('team-a', ID), undefined);
      assert.equal((await store.list('team-b')).length, 1, "team b's file stays");
    });

    it('refuses names that are no namespace or build id before they make a path or a key', async (t) => {
      const dataDir = await workDir(t, `symbols-names-${under.name}`);
      const store = await storeOn(t, under, dataDir);
      const path = await fileWith(store, 'x');
      for (const [namespace, buildId] of [
        ['../team-b', ID],
        ['team-a', '../../etc'],
        ['team-a', 'ABCD'],
        ['Team-A', ID],
      ] as const)
        await assert.rejects(store.put(namespace, buildId, path, Date.now()), /is not/);
    });
  });
}
