import type { StoreUnderTest } from '../harness/catalog-stores.ts';
import { existsSync } from 'node:fs';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { FurnaceError } from '../../core/contract/errors.ts';
import { openCatalog, type Catalog } from '../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../server/catalog/retention.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import type { ArtifactStore } from '../../server/storage/artifact-store.ts';

/** Every key of an artifact store. */
export async function listKeys(artifacts: ArtifactStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of artifacts.list()) keys.push(object.key);
  return keys.sort();
}

const owner = { namespace: 'team-a', pod: 'web-1', podUid: 'uid-1' };

/** A catalog in a new directory with the default retention, on `now`. */
async function newCatalog(
  t: TestContext,
  store: StoreUnderTest,
  now: () => number = Date.now,
): Promise<Catalog> {
  const dataDir = await tempDir(t, 'furnace-catalog-');
  return openCatalog({
    dataDir,
    artifacts: await store.open(t, dataDir),
    now,
    retention: DEFAULT_RETENTION,
  });
}

export function catalogStoreSuite(store: StoreUnderTest): void {
  describe(`catalog store (${store.name} store)`, () => {
    it('keeps metadata and artifacts across a reopen of the same directory', async (t) => {
      const dataDir = await tempDir(t, 'furnace-catalog-');
      const artifacts = await store.open(t, dataDir);
      const open = () =>
        openCatalog({
          dataDir,
          artifacts,
          now: () => Date.parse('2026-03-02T00:00:00Z'),
          retention: DEFAULT_RETENTION,
        });
      const catalog = await open();
      await catalog.putMetadata(finishedRecordingStatus('rec-1'), owner);
      const bytes = await catalog.putArtifact(
        'rec-1',
        'flamegraph.svg',
        Readable.from([Buffer.from('<svg>main</svg>')]),
        { owner, maxBytes: 1024 },
      );
      assert.equal(bytes, 15);
      const reopened = await open();
      const entry = reopened.get('rec-1');
      assert.equal(entry?.namespace, 'team-a');
      assert.equal(entry?.container, 'app');
      assert.deepEqual(entry?.artifacts, [{ name: 'flamegraph.svg', bytes: 15 }]);
      const artifact = await reopened.openArtifact('rec-1', 'flamegraph.svg');
      assert.equal(artifact?.bytes, 15);
      assert.equal(artifact && (await text(artifact.body)), '<svg>main</svg>');
    });

    it('leaves no temp files behind, also after a refused upload', async (t) => {
      const dataDir = await tempDir(t, 'furnace-catalog-');
      const artifacts = await store.open(t, dataDir);
      const catalog = await openCatalog({ dataDir, artifacts, now: Date.now, retention: DEFAULT_RETENTION });
      await catalog.putMetadata(finishedRecordingStatus('rec-1'), owner);
      await assert.rejects(
        catalog.putArtifact('rec-1', 'perf.data', Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), {
          owner,
          maxBytes: 1000,
        }),
        (error: FurnaceError) => error.code === 'ERR_PAYLOAD_TOO_LARGE',
      );
      assert.deepEqual(await readdir(join(dataDir, 'tmp')), []);
      assert.deepEqual(await listKeys(artifacts), [], 'no object left in the store');
      assert.deepEqual(catalog.get('rec-1')?.artifacts, []);
      assert.deepEqual((await readdir(join(dataDir, 'recordings', 'rec-1'))).sort(), ['recording.json']);
    });

    it('accepts writes only from the first writer of a recording', async (t) => {
      const catalog = await newCatalog(t, store);
      await catalog.putMetadata(finishedRecordingStatus('rec-1', { state: 'processing' }), owner);
      const intruder = { namespace: 'team-b', pod: 'evil', podUid: 'uid-9' };
      await assert.rejects(
        catalog.putMetadata(finishedRecordingStatus('rec-1'), intruder),
        (e: FurnaceError) => e.code === 'ERR_FORBIDDEN',
      );
      await assert.rejects(
        catalog.putArtifact('rec-1', 'flamegraph.svg', Readable.from(['x']), {
          owner: intruder,
          maxBytes: 100,
        }),
        (e: FurnaceError) => e.code === 'ERR_FORBIDDEN',
      );
      await catalog.putMetadata(finishedRecordingStatus('rec-1'), owner);
      assert.equal(catalog.get('rec-1')?.state, 'done');
    });

    it('refuses artifact names outside the fixed set and ids that could leave the directory', async (t) => {
      const catalog = await newCatalog(t, store);
      await catalog.putMetadata(finishedRecordingStatus('rec-1'), owner);
      await assert.rejects(
        catalog.putArtifact('rec-1', '../../etc/passwd', Readable.from(['x']), { owner, maxBytes: 100 }),
        (e: FurnaceError) => e.code === 'ERR_INVALID_ARTIFACT',
      );
      await assert.rejects(
        catalog.putMetadata(finishedRecordingStatus('../x'), owner),
        (e: FurnaceError) => e.code === 'ERR_INVALID_PARAMETER',
      );
      await assert.rejects(catalog.openArtifact('..', 'flamegraph.svg'));
    });

    it('refuses an artifact before its metadata', async (t) => {
      const catalog = await newCatalog(t, store);
      await assert.rejects(
        catalog.putArtifact('rec-9', 'flamegraph.svg', Readable.from(['x']), { owner, maxBytes: 100 }),
        (e: FurnaceError) => e.code === 'ERR_NOT_FOUND',
      );
    });

    it('keeps every change made to one entry at the same time: deliveries of three sinks and an artifact', async (t) => {
      const catalog = await newCatalog(t, store);
      await catalog.putMetadata(finishedRecordingStatus('rec-1'), owner);
      const updatedAt = '2026-03-02T00:00:00.000Z';
      await Promise.all([
        ...['otlp', 'pyroscope', 'folded'].map((sink) =>
          catalog.setDelivery('rec-1', { sink, state: 'delivered', attempts: 1, updatedAt }),
        ),
        catalog.putArtifact('rec-1', 'stacks.folded', Readable.from(['main 1\n']), { owner, maxBytes: 100 }),
      ]);
      const entry = catalog.get('rec-1');
      assert.deepEqual(entry?.deliveries?.map((d) => d.sink).sort(), ['folded', 'otlp', 'pyroscope']);
      assert.deepEqual(entry?.artifacts, [{ name: 'stacks.folded', bytes: 7 }]);
    });

    it('lists newest first with namespace and pod filters, and deletes', async (t) => {
      const catalog = await newCatalog(t, store, () => Date.parse('2026-03-02T00:00:00Z'));
      await catalog.putMetadata(finishedRecordingStatus('old', { startedAt: '2026-01-01T00:00:00Z' }), owner);
      await catalog.putMetadata(finishedRecordingStatus('new', { startedAt: '2026-01-03T00:00:00Z' }), owner);
      await catalog.putMetadata(finishedRecordingStatus('other', { startedAt: '2026-01-02T00:00:00Z' }), {
        namespace: 'team-b',
        pod: 'db-0',
      });
      assert.deepEqual(
        catalog.list({}).map((e) => e.id),
        ['new', 'other', 'old'],
      );
      assert.deepEqual(
        catalog.list({ namespace: 'team-b' }).map((e) => e.id),
        ['other'],
      );
      assert.deepEqual(
        catalog.list({ namespace: 'team-a', pod: 'web-1' }).map((e) => e.id),
        ['new', 'old'],
      );
      assert.equal(await catalog.remove('new'), true);
      assert.equal(await catalog.remove('new'), false);
      assert.deepEqual(
        catalog.list({}).map((e) => e.id),
        ['other', 'old'],
      );
    });

    it('waits for in-flight uploads when drained', async (t) => {
      const catalog = await newCatalog(t, store);
      await catalog.putMetadata(finishedRecordingStatus('rec-1'), owner);
      const body = new Readable({ read() {} });
      const upload = catalog.putArtifact('rec-1', 'stacks.folded', body, { owner, maxBytes: 1000 });
      let drained = false;
      const drain = catalog.drain().then(() => (drained = true));
      body.push('main;hot 5\n');
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(drained, false);
      body.push(null);
      await upload;
      await drain;
      assert.deepEqual(catalog.get('rec-1')?.artifacts, [{ name: 'stacks.folded', bytes: 11 }]);
    });

    it('refuses at reload a metadata file larger than any entry the server writes, and removes its directory', async (t) => {
      const dataDir = await tempDir(t, 'furnace-catalog-');
      const artifacts = await store.open(t, dataDir);
      const now = Date.parse('2026-03-02T00:00:00Z');
      const dir = join(dataDir, 'recordings', 'big-1');
      await mkdir(dir, { recursive: true });
      const status = finishedRecordingStatus('big-1');
      const entry = {
        ...status,
        namespace: 'team-a',
        pod: 'web-1',
        artifacts: [],
        padding: 'x'.repeat(2 << 20),
      };
      await writeFile(join(dir, 'recording.json'), JSON.stringify({ entry, owner }));
      const reports: unknown[] = [];
      const catalog = await openCatalog({
        dataDir,
        artifacts,
        now: () => now,
        retention: DEFAULT_RETENTION,
        onLoad: (report) => reports.push(report),
      });
      assert.equal(catalog.get('big-1'), undefined);
      assert.equal(existsSync(dir), false, 'its files are removed, not left with nothing pointing to them');
      assert.deepEqual(reports, [
        { refused: { 'too-large': 1, unreadable: 0, 'not-an-entry': 0 }, dropped: 0 },
      ]);
    });

    it('reloads at most retention.maxCount recordings, with no time later than the time of loading', async (t) => {
      const dataDir = await tempDir(t, 'furnace-catalog-');
      const artifacts = await store.open(t, dataDir);
      const now = Date.parse('2026-03-02T00:00:00Z');
      for (let day = 1; day <= 8; day++) {
        const id = `rec-${day}`;
        await mkdir(join(dataDir, 'recordings', id), { recursive: true });
        const startedAt = day === 8 ? '2999-01-01T00:00:00.000Z' : `2026-02-0${day}T00:00:00.000Z`;
        const entry = { id, namespace: 'team-a', pod: 'web-1', state: 'done', startedAt, artifacts: [] };
        const record = { entry: { ...entry, params: finishedRecordingStatus(id).params }, owner };
        await writeFile(join(dataDir, 'recordings', id, 'recording.json'), JSON.stringify(record));
      }
      const catalog = await openCatalog({
        dataDir,
        artifacts,
        now: () => now,
        retention: { ...DEFAULT_RETENTION, maxCount: 5 },
      });
      assert.deepEqual(
        catalog.list({}).map((e) => e.id),
        ['rec-8', 'rec-7', 'rec-6', 'rec-5', 'rec-4'],
      );
      assert.equal(catalog.get('rec-8')?.startedAt, new Date(now).toISOString());
      assert.equal((await readdir(join(dataDir, 'recordings'))).length, 5);
    });
  });
}
