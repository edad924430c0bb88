// migrateCatalog between two filesystem catalogs (the kube tier runs the command itself into a real
// bucket and API server): a re-run skips what is there, a missing artifact file stops it naming the file,
// a size that does not match is refused and leaves no copy, and the source is never changed.
import assert from 'node:assert/strict';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, it, type TestContext } from 'node:test';
import { openCatalog } from '../../../server/catalog/catalog-store.ts';
import { createFileEntries } from '../../../server/catalog/file-entries.ts';
import { migrateCatalog, readFilesystemCatalog } from '../../../server/catalog/migrate/migrate-catalog.ts';
import { DEFAULT_RETENTION } from '../../../server/catalog/retention.ts';
import { openFilesystemArtifacts } from '../../../server/storage/filesystem-artifacts.ts';
import { finishedRecordingStatus } from '../../harness/recording-status.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

const owner = { namespace: 'shop', pod: 'web-1', podUid: 'uid-1' };

async function filled(t: TestContext, count: number): Promise<string> {
  const dataDir = await tempDir(t, 'furnace-migrate-src-');
  const catalog = await openCatalog({
    dataDir,
    now: Date.now,
    retention: DEFAULT_RETENTION,
    artifacts: await openFilesystemArtifacts(dataDir),
  });
  const at = new Date().toISOString();
  for (let i = 1; i <= count; i += 1) {
    const id = `rec-${i}`;
    await catalog.putMetadata(
      finishedRecordingStatus(id, {
        startedAt: at,
        endedAt: at,
        artifacts: ['stacks.folded', 'flamegraph.svg'],
      }),
      owner,
    );
    await catalog.putArtifact(id, 'stacks.folded', Readable.from([`main;f${i} ${i}\n`]), {
      owner,
      maxBytes: 1024,
    });
    await catalog.putArtifact(id, 'flamegraph.svg', Readable.from([`<svg>${i}</svg>`]), {
      owner,
      maxBytes: 1024,
    });
  }
  await catalog.close();
  return dataDir;
}

async function migrateInto(source: string, target: string, lines: string[] = []) {
  const { records } = await readFilesystemCatalog(source, Date.now());
  const entries = createFileEntries(target);
  await entries.start({ upsert: () => true, remove: () => undefined }, 1000, Date.now());
  return migrateCatalog({
    records,
    from: await openFilesystemArtifacts(source),
    to: await openFilesystemArtifacts(target),
    entries: {
      ...entries,
      // Files are read back from disk here, as a shared store reads its objects again.
      read: async (id) =>
        (await readFilesystemCatalog(target, Date.now())).records.find((r) => r.entry.id === id),
    },
    say: (line) => lines.push(line),
  });
}

describe('migrateCatalog', () => {
  it('copies every recording, then skips them all on a re-run', async (t) => {
    const source = await filled(t, 3);
    const target = await tempDir(t, 'furnace-migrate-dst-');
    const lines: string[] = [];
    const first = await migrateInto(source, target, lines);
    assert.deepEqual(first, { recordings: 3, copied: 3, skipped: 0, artifacts: 6, bytes: first.bytes });
    assert.match(lines[0] ?? '', /^\[1\/3\] shop\/rec-1: 2 artifacts, \d+ bytes copied$/);
    const second = await migrateInto(source, target);
    assert.deepEqual(second, { recordings: 3, copied: 0, skipped: 3, artifacts: 0, bytes: 0 });
    const catalog = await openCatalog({
      dataDir: target,
      now: Date.now,
      retention: DEFAULT_RETENTION,
      artifacts: await openFilesystemArtifacts(target),
    });
    t.after(() => catalog.close());
    const opened = await catalog.openArtifact('rec-2', 'stacks.folded');
    assert.equal(opened && (await text(opened.body)), 'main;f2 2\n');
  });

  it('stops at a missing artifact file, naming it, and leaves the source as it was', async (t) => {
    const source = await filled(t, 2);
    const dir = join(source, 'recordings', 'rec-2');
    const svg = (await readdir(dir)).find((f) => f.startsWith('flamegraph.svg'));
    assert.ok(svg);
    await rm(join(dir, svg));
    const target = await tempDir(t, 'furnace-migrate-dst-');
    await assert.rejects(
      migrateInto(source, target),
      /recording rec-2: artifact flamegraph\.svg has no file/,
    );
    assert.deepEqual((await readdir(dir)).sort(), (await readdir(dir)).sort());
    const { records } = await readFilesystemCatalog(source, Date.now());
    assert.equal(records.length, 2, 'the source keeps both entries');
  });

  it("refuses a file whose size is not the entry's, and keeps no copy of it", async (t) => {
    const source = await filled(t, 1);
    const dir = join(source, 'recordings', 'rec-1');
    const folded = (await readdir(dir)).find((f) => f.startsWith('stacks.folded'));
    assert.ok(folded);
    await writeFile(join(dir, folded), 'main;f1 1\nmain;grown 2\n');
    const target = await tempDir(t, 'furnace-migrate-dst-');
    await assert.rejects(
      migrateInto(source, target),
      /recording rec-1: artifact stacks\.folded copied 23 bytes, the entry says 10/,
    );
    const copied = await readdir(join(target, 'recordings', 'rec-1')).catch(() => []);
    assert.ok(!copied.some((f) => f.startsWith('stacks.folded')), `no copy left: ${copied.join(', ')}`);
  });

  it('lists a directory that holds no entry and leaves it', async (t) => {
    const source = await filled(t, 1);
    await writeFile(join(source, 'recordings', 'rec-1', 'recording.json'), '{not json');
    const { records, unreadable } = await readFilesystemCatalog(source, Date.now());
    assert.deepEqual([records.length, unreadable], [0, ['rec-1 (unreadable)']]);
    assert.ok((await readdir(join(source, 'recordings'))).includes('rec-1'));
  });
});
