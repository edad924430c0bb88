// The web UI and speedscope as the server serves them: built UI at / and on page paths, a clear 503
// when the UI is not built, speedscope from its npm package.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { buildFixture } from './server-fixture.ts';

async function uiDir(t: TestContext, built: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'furnace-ui-dist-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  if (built) {
    await writeFile(
      join(dir, 'index.html'),
      '<!doctype html><title>Furnace</title><script src="/app.js"></script>',
    );
    await writeFile(join(dir, 'app.js'), 'console.log("furnace")');
  }
  return dir;
}

describe('server web UI (static files)', () => {
  it('serves index.html at / and on page paths, with a policy that allows only its own scripts', async (t) => {
    const f = await buildFixture(t, { uiDir: await uiDir(t, true) });
    for (const url of ['/', '/history', '/recordings/20260301T120000-abc', '/compare/a-1/b-2?zoom=0.1&q=x']) {
      const response = await f.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 200, url);
      assert.match(response.headers['content-type'] as string, /^text\/html/);
      assert.match(response.body, /<title>Furnace<\/title>/);
      assert.match(response.headers['content-security-policy'] as string, /script-src 'self';/);
      assert.equal(response.headers['cache-control'], 'no-cache');
    }
    const script = await f.app.inject({ method: 'GET', url: '/app.js' });
    assert.equal(script.statusCode, 200);
    assert.match(script.headers['content-type'] as string, /javascript/);
    assert.equal(script.headers['x-content-type-options'], 'nosniff');
  });

  it('keeps API routes and JSON 404s as they were', async (t) => {
    const f = await buildFixture(t, { uiDir: await uiDir(t, true) });
    const missing = await f.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json<{ code: string }>().code, 'ERR_NOT_FOUND');
    assert.equal((await f.app.inject({ method: 'GET', url: '/no-such-file.js' })).statusCode, 404);
    assert.equal(
      (await f.app.inject({ method: 'GET', url: '/healthz' })).json<{ status: string }>().status,
      'ok',
    );
  });

  it('answers 503 saying to run npm run build:ui when the UI is not built', async (t) => {
    const f = await buildFixture(t, { uiDir: await uiDir(t, false) });
    for (const url of ['/', '/recordings/abc']) {
      const response = await f.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 503, url);
      assert.match(response.headers['content-type'] as string, /^text\/plain/);
      assert.match(response.body, /npm run build:ui/);
    }
  });

  it('serves the speedscope app from its npm package at /speedscope/', async (t) => {
    const f = await buildFixture(t, { uiDir: await uiDir(t, false) });
    const page = await f.app.inject({ method: 'GET', url: '/speedscope/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<title>speedscope<\/title>/);
    const script = /src="(speedscope-[^"]+\.js)"/.exec(page.body)?.[1];
    assert.ok(script, 'the page names its script');
    const js = await f.app.inject({ method: 'GET', url: `/speedscope/${script}` });
    assert.equal(js.statusCode, 200);
    assert.ok(js.body.length > 100_000, 'the whole speedscope bundle is served');
  });
});
