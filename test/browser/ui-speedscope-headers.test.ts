// speedscope, served by the server at /speedscope/, had none of the UI's headers: any site could frame
// it and the browser could sniff its files. It now has a CSP of its own (no framing, nothing from other
// origins) and nosniff, and still opens a recording's speedscope.json.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { openCatalog } from '../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../server/catalog/retention.ts';
import { toSpeedscope } from '../../core/render/speedscope.ts';
import { parseFolded } from '../../core/stacks/folded.ts';
import { withPage } from '../harness/browser.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { HOSTNAME } from '../process/server-processes.ts';

async function plantSpeedscope(dataDir: string, id: string): Promise<void> {
  const catalog = await openCatalog({ dataDir, now: Date.now, retention: DEFAULT_RETENTION });
  const now = new Date().toISOString();
  const owner = { namespace: 'local', pod: HOSTNAME };
  await catalog.putMetadata(
    finishedRecordingStatus(id, { startedAt: now, endedAt: now, artifacts: ['speedscope.json'] }),
    owner,
  );
  const file = JSON.stringify(toSpeedscope(parseFolded('main;work 3\nmain;rest 1\n'), { name: id }));
  await catalog.putArtifact(id, 'speedscope.json', Readable.from([file]), { owner, maxBytes: 1024 * 1024 });
}

describe('speedscope as the server serves it', () => {
  it('has a CSP with frame-ancestors none and nosniff, opens a recording, and no other site frames it', async (t) => {
    const dataDir = join(await tempDir(t, 'furnace-speedscope-'), 'data');
    await plantSpeedscope(dataDir, 'rec-s');
    const { baseUrl, keyedUrl, uiUrl, headers } = await startLocalServer(t, {
      localSidecar: false,
      env: { FURNACE_DATA_DIR: dataDir },
    });
    for (const path of ['/speedscope/', '/speedscope/index.html']) {
      const response = await fetch(`${baseUrl}${path}`, { headers });
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.match(csp, /default-src 'self'/, path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
    }
    await withPage(t, async (page) => {
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      const profile = encodeURIComponent(`/api/v1/recordings/rec-s/artifacts/speedscope.json`);
      await page.goto(keyedUrl('/')); // the printed URL once: local mode's key becomes a cookie
      // The landing page moves on by itself (a meta refresh, after its load): wait for it, or it would
      // interrupt the next navigation.
      await page.waitForURL(`${uiUrl}/`);
      await page.goto(`${uiUrl}/speedscope/#profileURL=${profile}&title=rec-s`);
      await page.waitForFunction(() => document.title === 'rec-s - speedscope', undefined, {
        timeout: 30_000,
      });
      assert.deepEqual(violations, [], 'speedscope runs under its CSP');

      // Another origin (a data: page) tries to frame it.
      await page.goto(`data:text/html,<iframe src="${uiUrl}/speedscope/"></iframe>`);
      const framed = page.frames().find((frame) => frame !== page.mainFrame());
      const title = await framed?.evaluate(() => document.title).catch(() => '');
      assert.notEqual(title, 'speedscope', 'the frame did not load speedscope');
    });
  });
});
