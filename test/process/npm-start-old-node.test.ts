// `npm start` on this machine's own Node (20 on the test machine), which the README names as enough: the
// first start's `npm ci` prints no engine warning that contradicts it (issue 44: npm's EBADENGINE lines
// for `furnace` itself, whose engines said >=24, and for the Kubernetes client's undici). The install
// runs as package.json's prestart runs it, dry (the lock file says what it would install; nothing is
// fetched or written), in a copy of package.json, the lock file and scripts/with-node24.sh.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { tempDir } from '../harness/temp-dirs.ts';

const run = promisify(execFile);
/** This machine's own Node and npm, as a user's shell finds them. */
const MACHINE_PATH = '/usr/bin:/bin';

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
    const pkg = await readPackage();
    const dir = await tempDir(t, 'furnace-npm-ci-');
    await cp(join(PROJECT_ROOT, 'package.json'), join(dir, 'package.json'));
    await cp(join(PROJECT_ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
    await mkdir(join(dir, 'scripts'));
    await cp(join(PROJECT_ROOT, 'scripts', 'with-node24.sh'), join(dir, 'scripts', 'with-node24.sh'));
    const { stdout: version } = await run('node', ['-p', 'process.versions.node'], {
      env: { PATH: MACHINE_PATH },
    });
    assert.ok(Number(version.split('.')[0]) < 24, `the machine's node is ${version.trim()}`);
    const { stdout, stderr } = await run('sh', ['-c', `${prestartInstall(pkg)} --dry-run --ignore-scripts`], {
      cwd: dir,
      env: { PATH: MACHINE_PATH, HOME: process.env.HOME ?? '/root' },
      maxBuffer: 16 * 1024 * 1024,
    });
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
