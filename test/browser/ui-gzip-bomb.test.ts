// A catalog entry whose flame-tree.bin.gz is a gzip bomb (left by an older server, which took any
// upload): the viewer inflates no more than MAX_COMPACT_TREE_BYTES of it and says why it stopped.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { MAX_COMPACT_TREE_BYTES } from '../../core/render/flame-tree-compact.ts';
import { openCatalog } from '../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../server/catalog/retention.ts';
import { withPage } from '../harness/browser.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { HOSTNAME } from '../process/server-processes.ts';

/** A catalog with one recording whose stacks are fine and whose flame tree inflates past the limit. */
async function plantBomb(dataDir: string): Promise<void> {
  const catalog = await openCatalog({ dataDir, now: Date.now, retention: DEFAULT_RETENTION });
  const now = new Date().toISOString();
  const status = finishedRecordingStatus('bomb', {
    startedAt: now,
    endedAt: now,
    artifacts: ['stacks.folded', 'flame-tree.bin.gz'],
  });
  const owner = { namespace: 'local', pod: HOSTNAME };
  await catalog.putMetadata(status, owner);
  await catalog.putArtifact('bomb', 'stacks.folded', Readable.from(['main;work 10\n']), {
    owner,
    maxBytes: 1024,
  });
  await catalog.putArtifact('bomb', 'flame-tree.bin.gz', Readable.from([gzipSync('x')]), {
    owner,
    maxBytes: 1024,
  });
  const bomb = gzipSync(Buffer.alloc(MAX_COMPACT_TREE_BYTES + 1024 * 1024), { level: 9 });
  // The filesystem store's file, changed behind the catalog's back.
  await writeFile(join(dataDir, 'recordings', 'bomb', 'flame-tree.bin.gz'), bomb);
}

describe('web UI and a gzip bomb in the catalog', () => {
  it('stops inflating the flame tree at the limit and says so', async (t) => {
    const dataDir = join(await tempDir(t, 'furnace-bomb-'), 'data');
    await plantBomb(dataDir);
    const { keyedUrl } = await startLocalServer(t, {
      localSidecar: false,
      env: { FURNACE_DATA_DIR: dataDir },
    });
    await withPage(t, async (page) => {
      await page.goto(keyedUrl('/recordings/bomb'));
      const alert = page.getByRole('heading', { name: 'Too large to show' });
      await alert.waitFor({ timeout: 30_000 });
      const text = (await page.locator('.server-message').textContent()) ?? '';
      assert.match(text, new RegExp(`more than ${MAX_COMPACT_TREE_BYTES} bytes; the viewer stopped there`));
    });
  });
});
