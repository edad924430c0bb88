// The `furnace` command as npm installs it: package.json's "bin" is compiled JavaScript from
// `npm run build`, the package's files carry it, and it runs without tsx (and without the Kubernetes
// client or Fastify for the commands that do not talk to a cluster, which load nothing they do not use).
import assert from 'node:assert/strict';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { execFile } from '../harness/child-processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { buildDist } from './server-processes.ts';

const run = promisify(execFile);
const GOLDEN_DIR = join(PROJECT_ROOT, 'test', 'golden', 'stacks');
// Left out of the installation: the TypeScript runtime, and what only cluster verbs and the server load.
const LEFT_OUT = new Set([
  'tsx',
  '@kubernetes/client-node',
  'fastify',
  '@fastify/http-proxy',
  '@fastify/static',
]);

interface PackageJson {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
}

const pkg = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as PackageJson;

/**
 * An installation in `dir` laid out as npm lays one out: the package's files under
 * node_modules/furnace, its dependencies beside them (links to this checkout's, minus LEFT_OUT), and
 * the bin made executable. Returns the path of the `furnace` command.
 */
async function install(dir: string, files: string[]): Promise<string> {
  const root = join(dir, 'node_modules', 'furnace');
  for (const file of files) await cp(join(PROJECT_ROOT, file), join(root, file), { recursive: true });
  for (const name of Object.keys(pkg.dependencies)) {
    if (LEFT_OUT.has(name)) continue;
    await mkdir(join(root, 'node_modules', name, '..'), { recursive: true });
    await symlink(join(PROJECT_ROOT, 'node_modules', name), join(root, 'node_modules', name));
  }
  const bin = join(root, pkg.bin.furnace ?? 'missing');
  await chmod(bin, 0o755);
  return bin;
}

/** The files `npm pack` puts in the package (without running the build again). */
async function packedFiles(): Promise<string[]> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: PROJECT_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [pack] = JSON.parse(stdout) as { files: { path: string }[] }[];
  return (pack?.files ?? []).map((f) => f.path);
}

describe('furnace as installed from the package (compiled, no tsx)', () => {
  let furnace = '';
  let dir = '';

  before(async () => {
    buildDist();
    const files = await packedFiles();
    assert.ok(
      files.includes(pkg.bin.furnace ?? 'missing'),
      `npm pack leaves out the bin: ${files.join(' ')}`,
    );
    assert.equal(pkg.bin['kubectl-furnace'], pkg.bin.furnace);
    assert.ok(!files.some((f) => f.endsWith('.ts')), 'the package carries no TypeScript sources');
    dir = await mkdtemp(join(tmpdir(), 'furnace-installed-'));
    furnace = await install(dir, files);
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it('the bin is JavaScript that node runs as it is, and --help lists the commands', async () => {
    assert.match(furnace, /\.js$/);
    assert.match(await readFile(furnace, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    const { stdout } = await run(furnace, ['--help'], { cwd: dir });
    for (const command of ['inject', 'collapse-perf', 'flamegraph', 'record', 'list', 'ui'])
      assert.match(stdout, new RegExp(`^  ${command} `, 'm'));
  });

  it('collapse-perf folds a perf script from stdin exactly like the golden file', async () => {
    const input = join(GOLDEN_DIR, 'kernel-frames.perf-script');
    const expected = await readFile(join(GOLDEN_DIR, 'kernel-frames.kernel.folded'), 'utf8');
    const { stdout } = await run('sh', ['-c', `"$0" collapse-perf --kernel < "$1"`, furnace, input], {
      cwd: dir,
    });
    assert.equal(stdout, expected);
  });

  it('inject adds the sidecar to a Deployment read from a file', async () => {
    const manifest = join(dir, 'app.yaml');
    await writeFile(
      manifest,
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: web}',
        'spec:',
        '  selector: {matchLabels: {app: web}}',
        '  template:',
        '    metadata: {labels: {app: web}}',
        '    spec:',
        '      containers: [{name: app, image: nginx}]',
        '',
      ].join('\n'),
    );
    const { stdout } = await run(furnace, ['inject', '-f', manifest], { cwd: dir });
    const injected = parse(stdout) as { spec: { template: { spec: { containers: { name: string }[] } } } };
    assert.deepEqual(
      injected.spec.template.spec.containers.map((c) => c.name),
      ['app', 'furnace'],
    );
  });

  it('record --help answers without the Kubernetes client installed (loaded only to connect)', async () => {
    const { stdout } = await run(furnace, ['record', '--help'], { cwd: dir });
    assert.match(stdout, /^usage: furnace record <pod>/);
  });
});
