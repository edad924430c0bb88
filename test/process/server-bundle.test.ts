// The server image runs one bundle per process (Dockerfile.server, npm run build:server-bundle) and no
// node_modules: its files, built and laid out as the Dockerfile says, run from a directory with no
// node_modules anywhere above it, with the image's entry point and node flags.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { BUNDLE_DIR, BUNDLE_ENTRIES } from '../../core/contract/bundle-layout.ts';
import { OPERATOR_COMMAND } from '../../deploy/manifests/operator-deployment.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { eventually } from '../harness/eventually.ts';
import { localKeyOf, localSidecarRegistered } from '../harness/local-server.ts';
import { freePort } from '../harness/ports.ts';
import { run, startProcess } from '../harness/processes.ts';
import { buildServerImageFiles, layOutServerImage, serverImage } from '../harness/server-image.ts';
import { tempDir } from '../harness/temp-dirs.ts';

/** The directories Node would look in for a package imported from dir. */
function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules'))) found.push(join(at, 'node_modules'));
    if (dirname(at) === at) return found;
  }
}

/** The image's files in a scratch directory: its WORKDIR, with nothing else. */
async function imageApp(t: Parameters<typeof tempDir>[0]): Promise<{ root: string; app: string }> {
  await buildServerImageFiles();
  const root = await tempDir(t, 'furnace-image-');
  const app = join(root, 'app');
  await layOutServerImage(app);
  assert.deepEqual(nodeModulesAbove(join(app, 'dist', 'bundle')), [], 'no node_modules to fall back on');
  return { root, app };
}

describe('the server image: bundles without node_modules (Dockerfile.server)', () => {
  it('serves health, the web UI and speedscope, and its local sidecar registers', async (t) => {
    const { root, app } = await imageApp(t);
    const image = serverImage();
    assert.equal(image.entrypoint[0], 'node');
    const port = await freePort();
    const server = startProcess(t, process.execPath, [...image.entrypoint.slice(1), '--local'], {
      cwd: app,
      cleanEnv: true,
      env: {
        NODE_OPTIONS: image.nodeOptions,
        NODE_ENV: 'production',
        FURNACE_PORT: String(port),
        FURNACE_DATA_DIR: join(root, 'data'),
        FURNACE_LOG_LEVEL: 'warn',
      },
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    await eventually(
      () => Promise.resolve(server.output().includes(baseUrl) || undefined),
      30_000,
      'the URL',
    );
    const { headers } = await localKeyOf(join(root, 'data'));
    assert.equal((await fetch(`${baseUrl}/healthz`)).status, 200);
    const index = await fetch(`${baseUrl}/`, { headers });
    assert.equal(index.status, 200);
    const script = /<script[^>]*src="\/?(app\.js)"/.exec(await index.text())?.[1];
    assert.equal(script, 'app.js', 'the index names the UI bundle');
    assert.equal((await fetch(`${baseUrl}/${script}`, { headers })).status, 200);
    const speedscope = await fetch(`${baseUrl}/speedscope/index.html`, { headers });
    assert.equal(speedscope.status, 200);
    assert.match(await speedscope.text(), /speedscope/);
    await localSidecarRegistered(
      baseUrl,
      headers,
      30_000,
      'the local sidecar (its bundle beside the server) to register',
    );
    assert.equal(await server.stop(), 0, server.output());
  });

  it("runs the operator's command from deploy/base: it starts and tries its leader election", async (t) => {
    const { root, app } = await imageApp(t);
    const kubeconfig = join(root, 'kubeconfig');
    // A cluster that refuses connections: the operator's Kubernetes client is what reaches for it.
    await writeFile(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\n' +
        'users: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\n' +
        'current-context: c\n',
    );
    assert.equal(OPERATOR_COMMAND[0], 'node');
    const operator = startProcess(t, process.execPath, OPERATOR_COMMAND.slice(1), {
      cwd: app,
      cleanEnv: true,
      env: { NODE_OPTIONS: serverImage().nodeOptions, KUBECONFIG: kubeconfig },
    });
    await eventually(
      () =>
        Promise.resolve(
          /leader election round failed.*ECONNREFUSED|ECONNREFUSED.*leader election round failed/.test(
            operator.output(),
          ) || undefined,
        ),
      30_000,
      'a leader election round against the refused cluster',
    );
    assert.match(operator.output(), /"msg":"operator started"/);
    assert.equal(await operator.stop(), 0, operator.output());
  });

  it("runs `furnace collapse-perf` on two threads and in parts (catalog migrate's command) with its worker beside it", async (t) => {
    const { root, app } = await imageApp(t);
    const sample = await readFile(join(PROJECT_ROOT, 'test', 'golden', 'stacks', 'c-two-leaves.perf-script'));
    const copy = Buffer.concat([sample, Buffer.from('\n')]);
    // Past the 16 MiB under which collapse-perf reads in one pass whatever --threads says.
    const input = join(root, 'perf.script');
    await writeFile(
      input,
      Buffer.concat(Array.from({ length: Math.ceil((17 * 1024 ** 2) / copy.length) }, () => copy)),
    );
    const cli = join(BUNDLE_DIR, BUNDLE_ENTRIES.cli.file);
    const collapse = async (args: string[]): Promise<string> =>
      (
        await run(process.execPath, [cli, 'collapse-perf', ...args, input], {
          cwd: app,
          env: { PATH: process.env.PATH ?? '' },
        })
      ).stdout;
    // The default is one pass; --threads 2 is the two-thread pipeline, --threads 3 cuts the file into parts.
    const [piped, parts, onePass] = await Promise.all([
      collapse(['--threads', '2']),
      collapse(['--threads', '3']),
      collapse([]),
    ]);
    assert.match(onePass, /^\S.* \d+$/m);
    assert.equal(piped, onePass);
    assert.equal(parts, onePass);
  });
});
