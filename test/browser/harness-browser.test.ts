// Proves the browser tier: Debian's chromium through playwright renders and runs a local page.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { withPage } from '../harness/browser.ts';
import { portOf } from '../harness/ports.ts';

const PAGE = `<!doctype html><title>harness</title>
<button id="go">go</button><p id="out">waiting</p>
<script>document.getElementById('go').addEventListener('click', () => {
  document.getElementById('out').textContent = 'clicked ' + navigator.userAgent.includes('Chrome');
});</script>`;

let server: Server;
let url: string;

before(async () => {
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${portOf(server)}/`;
});
after(() => {
  server.close();
});

describe('browser harness', () => {
  it('renders a local page in chromium and runs its script on click', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(url);
      assert.equal(await page.title(), 'harness');
      await page.click('#go');
      await page.waitForFunction(() => document.getElementById('out')?.textContent !== 'waiting');
      assert.equal(await page.textContent('#out'), 'clicked true');
    });
  });
});
