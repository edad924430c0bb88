// Catalog entries as files: `<dataDir>/recordings/<id>/recording.json`, written to a temp file and renamed
// into place. Only this process writes them, so the index is the truth and nothing is watched.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { catalogDirs } from '../storage/filesystem-artifacts.ts';
import type { StoredRecording } from './catalog-entry.ts';
import { loadCatalog, METADATA_FILE } from './catalog-load.ts';
import type { EntryStore } from './entry-store.ts';

export function createFileEntries(dataDir: string): EntryStore {
  const { recordingsDir, tmpDir } = catalogDirs(dataDir);
  const dirOf = (id: string): string => join(recordingsDir, id);
  const write = async (record: StoredRecording): Promise<void> => {
    const temp = join(tmpDir, `${randomBytes(8).toString('hex')}.tmp`);
    try {
      await mkdir(dirOf(record.entry.id), { recursive: true });
      await writeFile(temp, JSON.stringify(record, null, 2));
      await rename(temp, join(dirOf(record.entry.id), METADATA_FILE));
    } finally {
      await rm(temp, { force: true });
    }
  };
  return {
    kind: 'files',
    async start(index, maxCount, now) {
      await mkdir(recordingsDir, { recursive: true });
      await mkdir(tmpDir, { recursive: true });
      const { stored, report } = await loadCatalog(recordingsDir, maxCount, now);
      for (const record of stored.values()) index.upsert(record);
      return report;
    },
    read: (_id, _namespace, known) => Promise.resolve(known),
    async update(_id, _namespace, known, change) {
      const next = change(known);
      if (next !== undefined) await write(next);
      return next;
    },
    async remove(id) {
      // The whole directory: the entry's file and whatever artifact files the filesystem store kept there.
      await rm(dirOf(id), { recursive: true, force: true });
      return true;
    },
    stop: () => Promise.resolve(),
  };
}
