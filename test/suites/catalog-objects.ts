// The catalog's artifacts as objects of its store: written whole before an entry names them, streamed
// back byte for byte (a perf.data larger than one multipart part too), cut off at the limit with nothing
// left behind, replaced and removed with their entries, and orphans (objects no entry names) collected
// once older than the grace. The suite runs on each artifact store (test/harness/catalog-stores.ts).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { describe, it, type TestContext } from 'node:test';
import type { FurnaceError } from '../../core/contract/errors.ts';
import { openCatalog, type Catalog } from '../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../server/catalog/retention.ts';
import type { ArtifactStore } from '../../server/storage/artifact-store.ts';
import { UPLOAD_PART_BYTES } from '../../server/storage/s3-artifacts.ts';
import type { StoreUnderTest } from '../harness/catalog-stores.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { listKeys } from './catalog-store.ts';

const owner = { namespace: 'team-a', pod: 'web-1', podUid: 'uid-1' };
const BIG = UPLOAD_PART_BYTES * 2 + 12345;

async function opened(
  t: TestContext,
  store: StoreUnderTest,
  now: () => number = Date.now,
): Promise<{ catalog: Catalog; artifacts: ArtifactStore }> {
  const dataDir = await tempDir(t, 'furnace-objects-');
  const artifacts = await store.open(t, dataDir);
  const retention = { ...DEFAULT_RETENTION, namespaceMaxBytes: 4 * BIG, maxBytes: 8 * BIG };
  return { catalog: await openCatalog({ dataDir, artifacts, now, retention }), artifacts };
}

/** A body of `bytes` random bytes in 64 KiB chunks, and its SHA-256. */
function randomBody(bytes: number): { body: Readable; sha256: string } {
  const data = randomBytes(bytes);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes; at += 65536) chunks.push(data.subarray(at, at + 65536));
  return { body: Readable.from(chunks), sha256: createHash('sha256').update(data).digest('hex') };
}

async function put(catalog: Catalog, name: 'stacks.folded' | 'perf.data', body: string): Promise<number> {
  return catalog.putArtifact('rec-1', name, Readable.from([Buffer.from(body)]), { owner, maxBytes: 1 << 20 });
}

export function catalogObjectsSuite(store: StoreUnderTest): void {
  describe(`catalog artifacts as store objects (${store.name} store)`, () => {
    it('streams back an artifact larger than one upload part byte for byte, with its length', async (t) => {
      const { catalog } = await opened(t, store);
      await catalog.putMetadata(finishedRecordingStatus('rec-1'), owner);
      const { body, sha256 } = randomBody(BIG);
      assert.equal(await catalog.putArtifact('rec-1', 'perf.data', body, { owner, maxBytes: BIG }), BIG);
      const artifact = await catalog.openArtifact('rec-1', 'perf.data');
      assert.equal(artifact?.bytes, BIG);
      const back = artifact ? await buffer(artifact.body) : Buffer.alloc(0);
      assert.equal(createHash('sha256').update(back).digest('hex'), sha256);
    });

    it('cuts off an upload past its limit after several parts and leaves no object', async (t) => {
      const { catalog, artifacts } = await opened(t, store);
      await catalog.putMetadata(finishedRecordingStatus('rec-1'), owner);
      const { body } = randomBody(BIG);
      await assert.rejects(
        catalog.putArtifact('rec-1', 'perf.data', body, { owner, maxBytes: BIG - 1 }),
        (error: FurnaceError) =>
          error.code === 'ERR_PAYLOAD_TOO_LARGE' && /maxArtifactBytes/.test(error.message),
      );
      assert.deepEqual(catalog.get('rec-1')?.artifacts, []);
      assert.deepEqual(await listKeys(artifacts), []);
    });

    it('keeps one object per artifact when it is uploaded again, and serves the new one', async (t) => {
      const { catalog, artifacts } = await opened(t, store);
      await catalog.putMetadata(finishedRecordingStatus('rec-1'), owner);
      await put(catalog, 'stacks.folded', 'main;old 1\n');
      await put(catalog, 'stacks.folded', 'main;new 22\n');
      assert.equal((await listKeys(artifacts)).length, 1);
      const artifact = await catalog.openArtifact('rec-1', 'stacks.folded');
      assert.equal(artifact && (await text(artifact.body)), 'main;new 22\n');
      assert.deepEqual(catalog.get('rec-1')?.artifacts, [{ name: 'stacks.folded', bytes: 12 }]);
    });

    it('removes the objects of a removed entry, and opens none for an artifact the entry does not list', async (t) => {
      const { catalog, artifacts } = await opened(t, store);
      await catalog.putMetadata(finishedRecordingStatus('rec-1'), owner);
      await put(catalog, 'stacks.folded', 'main 1\n');
      await put(catalog, 'perf.data', 'PERFILE2');
      assert.equal((await listKeys(artifacts)).length, 2);
      assert.equal(await catalog.openArtifact('rec-1', 'flamegraph.svg'), undefined);
      assert.equal(await catalog.remove('rec-1'), true);
      assert.deepEqual(await listKeys(artifacts), []);
      assert.equal(await catalog.openArtifact('rec-1', 'stacks.folded'), undefined);
    });

    it('collects an object no entry names once it is older than the grace, and nothing an entry names', async (t) => {
      // The catalog's clock runs a minute ahead of the store's, so objects written now are a minute old.
      const { catalog, artifacts } = await opened(t, store, () => Date.now() + 60_000);
      await catalog.putMetadata(finishedRecordingStatus('rec-1'), owner);
      await put(catalog, 'stacks.folded', 'main 1\n');
      const named = await listKeys(artifacts);
      // What a replica killed between its object and its entry leaves behind.
      const orphan = await artifacts.write('rec-2', 'perf.data', Readable.from([Buffer.from('PERFILE2')]));
      // And an object under a recording that has an entry, which its entry does not name.
      const unnamed = await artifacts.write('rec-1', 'perf.data', Readable.from([Buffer.from('PERFILE2')]));
      assert.deepEqual(await catalog.collectOrphans(3600), [], 'younger than the grace: kept');
      assert.deepEqual((await catalog.collectOrphans(30)).sort(), [orphan.key, unnamed.key].sort());
      assert.deepEqual(await listKeys(artifacts), named);
      const artifact = await catalog.openArtifact('rec-1', 'stacks.folded');
      assert.equal(artifact && (await text(artifact.body)), 'main 1\n');
    });

    // Issue "Edges and trust, round three", item 11: an entry read back was believed for any key under the
    // store's `recordings/`, so an entry forged in one namespace could serve, and on removal delete, the
    // artifacts of another namespace's recording.
    it('does not list an entry read back that names another recording’s objects, and serves nothing through it', async (t) => {
      const dataDir = await tempDir(t, 'furnace-objects-');
      const artifacts = await store.open(t, dataDir);
      const open = () => openCatalog({ dataDir, artifacts, now: Date.now, retention: DEFAULT_RETENTION });
      const catalog = await open();
      await catalog.putMetadata(finishedRecordingStatus('rec-1'), owner);
      await put(catalog, 'stacks.folded', 'team-a secret 1\n');
      const [victimKey = ''] = await listKeys(artifacts);
      const stored = JSON.parse(
        await readFile(join(dataDir, 'recordings', 'rec-1', 'recording.json'), 'utf8'),
      ) as { entry: Record<string, unknown>; owner: Record<string, unknown> };
      const forged = {
        ...stored,
        entry: { ...stored.entry, id: 'rec-x', namespace: 'team-b' },
        owner: { ...stored.owner, namespace: 'team-b', pod: 'evil-1' },
        objects: { 'stacks.folded': victimKey },
      };
      await mkdir(join(dataDir, 'recordings', 'rec-x'), { recursive: true });
      await writeFile(join(dataDir, 'recordings', 'rec-x', 'recording.json'), JSON.stringify(forged));

      const reopened = await open();
      assert.equal(reopened.get('rec-x'), undefined, 'the forged entry is not listed');
      assert.equal(await reopened.openArtifact('rec-x', 'stacks.folded'), undefined);
      assert.equal(await reopened.remove('rec-x'), false);
      const own = await reopened.openArtifact('rec-1', 'stacks.folded');
      assert.equal(own && (await text(own.body)), 'team-a secret 1\n', 'the victim keeps its artifact');
      assert.deepEqual(await listKeys(artifacts), [victimKey]);
    });
  });
}
