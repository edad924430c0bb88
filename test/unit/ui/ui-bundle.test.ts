// The web UI bundle: small enough (the 250 KB gzipped budget) and self-contained (nothing
// loaded from another origin, so the UI works offline and behind an air gap).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildUi, MAX_GZIPPED_JS_BYTES } from '../../../ui/build.ts';

// XML namespace names are identifiers that browsers never fetch.
const NAMESPACE_URIS = /^http:\/\/www\.w3\.org\//;

describe('web UI bundle', () => {
  it('builds to at most 250 KB of gzipped JavaScript and loads nothing from another origin', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'furnace-ui-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const result = await buildUi(dir);
    t.diagnostic(`app.js ${result.jsBytes} bytes, ${result.gzippedJsBytes} gzipped`);
    assert.ok(
      result.gzippedJsBytes <= MAX_GZIPPED_JS_BYTES,
      `app.js is ${result.gzippedJsBytes} bytes gzipped; the budget is ${MAX_GZIPPED_JS_BYTES}`,
    );
    const html = await readFile(join(dir, 'index.html'), 'utf8');
    for (const [, url] of html.matchAll(/(?:src|href)="([^"]*)"/g)) {
      assert.match(url ?? '', /^\/[^/]/, `index.html loads ${url} from this origin only`);
    }
    const js = await readFile(join(dir, 'app.js'), 'utf8');
    const urls = [...js.matchAll(/https?:\/\/[^"'`\s)]+/g)].map((m) => m[0]);
    assert.deepEqual(
      urls.filter((url) => !NAMESPACE_URIS.test(url)),
      [],
      'app.js names no other origin',
    );
  });
});
