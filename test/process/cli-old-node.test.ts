// The CLI's cluster verbs on this machine's own `node` (Node 20 on the test machine), which the README
// names as enough: @kubernetes/client-node 2.x cannot load there (issue 44: every cluster verb crashed
// with a stack trace). From a checkout the verb runs itself on Node 24 (scripts/with-node24.sh); installed
// without that script, it says in one line what to install. The API server here is a fake on loopback (a
// plain HTTP listener that answers the catalog's list): what is under test is the Node the verb runs on.
import assert from 'node:assert/strict';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { nodeAtLeast, KUBE_CLIENT_NODE } from '../../cli/node-runtime.ts';
import { execFile } from '../harness/child-processes.ts';
import { startProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { buildDist } from './server-processes.ts';

const run = promisify(execFile);
/** This machine's own Node, as a user's shell finds it (not the Node 24 that runs the tests). */
const MACHINE_NODE = '/usr/bin/node';

async function machineNodeVersion(): Promise<string> {
  const { stdout } = await run(MACHINE_NODE, ['-p', 'process.versions.node']);
  return stdout.trim();
}

/** A kubeconfig for `server`, with a token user. */
async function kubeconfigFor(dir: string, server: string): Promise<string> {
  const path = join(dir, 'kubeconfig');
  await writeFile(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      // client-node takes plain HTTP only with TLS verification off.
      'clusters: [{name: c, cluster: {server: "' + server + '", insecure-skip-tls-verify: true}}]',
      'users: [{name: u, user: {token: t0ken}}]',
      'contexts: [{name: x, context: {cluster: c, user: u, namespace: shop}}]',
      'current-context: x',
      '',
    ].join('\n'),
  );
  return path;
}

describe('the CLI on an older Node', () => {
  it("the machine's node is older than what the Kubernetes client needs (else this file tests nothing)", async () => {
    const version = await machineNodeVersion();
    assert.equal(nodeAtLeast(version, KUBE_CLIENT_NODE), false, `${MACHINE_NODE} is ${version}`);
  });

  it('`node cli/bin.js list` runs itself on Node 24 and lists what the API server answered', async (t) => {
    const dir = await tempDir(t, 'furnace-cli-old-node-');
    const paths: string[] = [];
    const fake = createServer((request, response) => {
      paths.push(request.url ?? '');
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          items: [
            {
              id: '20260101T000000-abcdef',
              namespace: 'shop',
              pod: 'web-1',
              state: 'done',
              params: {},
              startedAt: '2026-01-01T00:00:00.000Z',
              artifacts: [],
            },
          ],
        }),
      );
    });
    fake.listen(0, '127.0.0.1');
    await new Promise((resolve) => fake.once('listening', resolve));
    t.after(() => fake.close());
    const kubeconfig = await kubeconfigFor(dir, `http://127.0.0.1:${(fake.address() as AddressInfo).port}`);
    const cli = startProcess(
      t,
      MACHINE_NODE,
      [join(PROJECT_ROOT, 'cli', 'bin.js'), 'list', '--kubeconfig', kubeconfig],
      {
        cleanEnv: true,
        cwd: dir,
      },
    );
    const code = await cli.exited;
    assert.equal(code, 0, cli.output());
    assert.match(cli.output(), /20260101T000000-abcdef +shop +web-1/);
    assert.doesNotMatch(cli.output(), /TypeError|\n +at /);
    assert.ok(
      paths.some((p) => p.includes('/namespaces/shop/recordings')),
      paths.join(', '),
    );
  });

  it('installed without the checkout, a cluster verb says in one line what to install', async (t) => {
    buildDist();
    const dir = await tempDir(t, 'furnace-cli-old-node-installed-');
    // The compiled command and what it imports, laid out as in an installed package (no scripts/ beside it).
    const root = join(dir, 'node_modules', 'furnace');
    await mkdir(root, { recursive: true });
    for (const part of ['dist/cli', 'dist/core', 'package.json'])
      await cp(join(PROJECT_ROOT, part), join(root, part), { recursive: true });
    const cli = startProcess(
      t,
      MACHINE_NODE,
      [join(root, 'dist', 'cli', 'furnace.js'), 'list', '-n', 'shop'],
      {
        cleanEnv: true,
        cwd: dir,
      },
    );
    const code = await cli.exited;
    assert.equal(code, 1);
    const version = await machineNodeVersion();
    assert.equal(
      cli.output(),
      `furnace list: this command needs Node ${KUBE_CLIENT_NODE} or newer (it reaches the cluster through @kubernetes/client-node) and this is Node ${version}: install Node 24 (https://nodejs.org), or pass --server to reach a local Furnace (npm start)\n`,
    );
  });
});
