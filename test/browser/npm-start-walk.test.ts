// The README's first command as a person runs it: `npm start` on a fresh data directory, then the web UI
// records a local test program by its pattern and shows its hot function; Ctrl-C (SIGINT to the
// terminal's process group) stops npm, the server and the local sidecar.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withPage } from '../harness/browser.ts';
import { eventually } from '../harness/eventually.ts';
import { runHotProgram } from '../harness/hot-program.ts';
import { freePort } from '../harness/ports.ts';
import { childPids, isAlive, startProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { pickedPod } from '../harness/ui-pages.ts';
import { flameGraph, topFunctionNames } from './flame-page.ts';

async function descendants(pid: number): Promise<number[]> {
  const children = await childPids(pid);
  const below = await Promise.all(children.map((child) => descendants(child)));
  return [...children, ...below.flat()];
}

describe('npm start, as the README says', () => {
  it('serves the UI, records a program by pattern, shows its hot function, and stops on Ctrl-C', async (t) => {
    const dir = await tempDir(t, 'furnace-npm-start-');
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const npm = startProcess(t, 'npm', ['start'], {
      cwd: PROJECT_ROOT,
      env: { FURNACE_PORT: String(port), FURNACE_DATA_DIR: `${dir}/data` },
      processGroup: true,
    });
    await eventually(
      () => Promise.resolve(/recorder registered: local\//.test(npm.output()) || undefined),
      180_000,
      'npm start to build the UI, listen and register its local sidecar',
      250,
    );
    assert.match(npm.output(), new RegExp(`Furnace local mode listening on ${baseUrl}`));
    // The address to open carries local mode's key; without it another user of the machine gets nothing.
    const open = new RegExp(`Open (${baseUrl}/\\?furnace-key=[A-Za-z0-9_-]+) `).exec(npm.output())?.[1];
    assert.ok(open, 'npm start prints the address to open, with its key');
    assert.equal((await fetch(`${baseUrl}/api/v1/sidecars`)).status, 401);
    const program = await runHotProgram(t, dir);
    await withPage(t, async (page) => {
      await page.goto(open);
      // The key's host keeps the key in its cookie and moves on to the address without it.
      await page.waitForURL((url) => url.search === '' && url.hostname.endsWith('.localhost'));
      await pickedPod(page, 30_000);
      await page.getByLabel('Duration (seconds)').fill('5');
      await page.getByLabel('Frequency (Hz)').fill('199');
      await page.getByLabel('Process pattern').fill(program);
      await page.getByRole('button', { name: 'Start recording' }).click();
      await page.waitForURL(/\/recordings\/[^/?]+$/, { timeout: 90_000 });
      await flameGraph(page).waitFor();
      const names = await topFunctionNames(page);
      assert.equal(names[0], 'furnace_heavy', names.join(', '));
    });
    assert.match(npm.output(), /recording \S+ on local\/\S+ finished with \d+ samples/);

    const tree = await descendants(npm.pid);
    assert.ok(tree.length >= 2, 'npm runs the server, which runs the sidecar');
    npm.interrupt();
    const code = await npm.exited;
    assert.ok(code === 130 || code === null, `npm ends as interrupted (exit ${String(code)})`);
    assert.match(npm.output(), /Furnace stopped/);
    await eventually(
      () => Promise.resolve(tree.every((pid) => !isAlive(pid)) || undefined),
      10_000,
      'the server and the sidecar to exit',
    );
  });
});
