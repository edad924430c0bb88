// `npm start` on this machine's own Node (20 on the test machine), which the README names as enough: the
// first start's `npm ci` prints no engine warning that contradicts it (issue 44: npm's EBADENGINE lines
// for `furnace` itself, whose engines said >=24, and for the Kubernetes client's undici). The install
// runs as package.json's prestart runs it, dry (test/harness/npm-dry-install.ts).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dryInstall } from '../harness/npm-dry-install.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';

interface PackageJson {
  engines: { node: string };
  scripts: Record<string, string>;
}

async function readPackage(): Promise<PackageJson> {
  return JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as PackageJson;
}

/** The install command of prestart: what runs when node_modules is missing (a fresh clone). */
function prestartInstall(pkg: PackageJson): string {
  const match = /\|\| ([^)]*npm ci[^)]*)\)/.exec(pkg.scripts.prestart ?? '');
  assert.ok(match?.[1], `prestart installs with npm ci: ${pkg.scripts.prestart}`);
  return match[1];
}

describe('npm start on an older Node', () => {
  it("the first start's install prints no EBADENGINE warning", async (t) => {
    const { stdout, stderr } = await dryInstall(t, prestartInstall(await readPackage()));
    assert.match(stdout, /add fastify /, 'the dry run lists what it would install');
    assert.doesNotMatch(stderr, /EBADENGINE/, stderr);
  });

  it('package.json says the Node the README says: 20 or later', async () => {
    const pkg = await readPackage();
    const readme = await readFile(join(PROJECT_ROOT, 'README.md'), 'utf8');
    assert.match(readme, /with Node 20 or later/);
    assert.equal(pkg.engines.node, '>=20');
  });
});
