// scripts/with-node24.sh on a machine whose Node is older and whose cache has no Node 24 yet (a fresh
// machine, the first `npm start` or test/setup.sh): it fetches Node 24 from the npm package, runs the
// command on it, and keeps only the unpacked Node in the cache, not the downloaded package (51 MB).
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { execFile } from '../harness/child-processes.ts';
import { machineNodeMajor } from '../harness/npm-dry-install.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { tempDir } from '../harness/temp-dirs.ts';

const run = promisify(execFile);

describe('with-node24.sh on a fresh cache', () => {
  it('fetches Node 24, runs the command on it, and leaves only Node 24 in the cache', async (t) => {
    assert.ok((await machineNodeMajor()) < 24, "the machine's node is older than 24");
    const cache = await tempDir(t, 'furnace-node-cache-');
    const { stdout, stderr } = await run(
      'bash',
      [join(PROJECT_ROOT, 'scripts', 'with-node24.sh'), 'node', '-p', 'process.versions.node'],
      // npm's own cache (under HOME) keeps the package after its first fetch on this machine.
      { env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', FURNACE_TEST_CACHE: cache } },
    );
    assert.match(stdout, /^24\./, stderr);
    assert.match(stderr, /running with Node 24\.\S+ from the npm package node-linux-/);
    assert.deepEqual(
      (await readdir(cache)).filter((name) => !name.startsWith('node-v24.')),
      [],
    );
  });
});
