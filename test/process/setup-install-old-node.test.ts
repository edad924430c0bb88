// test/setup.sh (which `.ci/run` and `npm test` run) installs the npm dependencies on the Node they run
// on, 24, whatever Node runs the script: on the machine's Node 20, npm printed EBADENGINE for undici and
// cookie, which want Node 22 or 24. The install line runs dry (test/harness/npm-dry-install.ts).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dryInstall } from '../harness/npm-dry-install.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';

/** The command of setup.sh's `npm ci` line, up to its redirection or `||`. */
async function setupInstall(): Promise<string> {
  const script = await readFile(join(PROJECT_ROOT, 'test', 'setup.sh'), 'utf8');
  const line = script.split('\n').find((l) => /^\s*[^#\s].*\bnpm ci\b/.test(l) && !/^\s*echo\b/.test(l));
  const command = line === undefined ? undefined : /^\s*(.*?\bnpm ci\b[^>|]*?)\s*(>|\|\||$)/.exec(line)?.[1];
  assert.ok(command, `setup.sh runs npm ci: ${line}`);
  return command;
}

describe('test/setup.sh on an older Node', () => {
  it('its npm ci prints no EBADENGINE warning: it runs on the Node that runs the dependencies', async (t) => {
    const { stdout, stderr } = await dryInstall(t, await setupInstall());
    assert.match(stdout, /add fastify /, 'the dry run lists what it would install');
    assert.doesNotMatch(stderr, /EBADENGINE/, stderr);
  });
});
