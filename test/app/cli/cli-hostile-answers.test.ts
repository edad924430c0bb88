// Issue "Trust, round two", item 3, on the CLI's side: `kubectl furnace record` and `download` against a
// FAKE API server (a loopback stand-in answering as a compromised Furnace would; the real API server and
// Furnace refuse these answers before they get here) — the CLI must still write nothing outside its
// directory, replace no file, and print no terminal control characters.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { run as runRecord } from '../../../cli/record.ts';
import { runDownload } from '../../../cli/catalog-verbs.ts';
import { AGGREGATED_PREFIX } from '../../../core/contract/aggregated-api.ts';
import { runCli } from '../../harness/cli.ts';
import { portOf } from '../../harness/ports.ts';
import { recordingStatus } from '../../harness/recording-status.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

const ESC = '\u001b';
type Answer = (req: IncomingMessage) => { status: number; body: unknown } | undefined;

async function startFakeApiServer(t: TestContext, answer: Answer): Promise<string> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const found = answer(req) ?? { status: 404, body: { message: 'no such path' } };
    const text = typeof found.body === 'string' ? found.body : JSON.stringify(found.body);
    res.writeHead(found.status, { 'content-type': 'application/json' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return `http://127.0.0.1:${portOf(server)}`;
}

async function kubeconfigFor(dir: string, server: string): Promise<string> {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'fake', server, skipTLSVerify: true }],
    users: [{ name: 'user', token: 'user-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'user', namespace: 'team' }],
    currentContext: 'fake',
  });
  const path = join(dir, 'kubeconfig');
  await writeFile(path, config.exportConfig(), { mode: 0o600 });
  return path;
}

const done = (id: string, artifacts: unknown[]) => ({
  ...recordingStatus(id),
  state: 'done',
  stage: 'upload',
  progress: 1,
  artifacts,
});

describe('kubectl furnace against hostile answers', () => {
  it('record writes no file outside its directory when the answer names ../ paths', async (t) => {
    const home = await tempDir(t, 'cli-home-');
    const work = join(home, 'work');
    await mkdir(work);
    await writeFile(join(home, '.bashrc'), 'mine\n');
    const base = `${AGGREGATED_PREFIX}/namespaces/team/pods/web/recordings`;
    const server = await startFakeApiServer(t, (req) => {
      if (req.method === 'POST' && req.url === base) return { status: 202, body: recordingStatus('rec-1') };
      // The status read waits (?waitSeconds=N): the path without its query.
      if (req.url?.split('?')[0] === `${base}/rec-1`)
        return { status: 200, body: done('rec-1', ['../../.bashrc']) };
      if (req.url?.includes('/artifacts/')) return { status: 200, body: 'owned\n' };
      return undefined;
    });
    const kubeconfig = await kubeconfigFor(home, server);
    const out = join(work, 'out');
    const result = await runCli(runRecord, ['web', '--kubeconfig', kubeconfig, '-d', '1s', '-o', out]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /named an artifact "\.\.\/\.\.\/\.bashrc", which Furnace does not make/);
    assert.equal(readFileSync(join(home, '.bashrc'), 'utf8'), 'mine\n');
    assert.equal(existsSync(out) ? (await readdir(out)).length : 0, 0);
  });

  it('record refuses a start answer whose id is a path', async (t) => {
    const home = await tempDir(t, 'cli-home-');
    const server = await startFakeApiServer(t, (req) =>
      req.method === 'POST' ? { status: 202, body: done('../../etc', []) } : undefined,
    );
    const result = await runCli(runRecord, ['web', '--kubeconfig', await kubeconfigFor(home, server)]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /named a recording "\.\.\/\.\.\/etc", which is not a recording id/);
  });

  it('download replaces no existing file and prints no control characters', async (t) => {
    const home = await tempDir(t, 'cli-home-');
    await writeFile(join(home, 'rec-1-stacks.folded'), 'kept\n');
    const entry = `${AGGREGATED_PREFIX}/namespaces/team/recordings/rec-1`;
    const server = await startFakeApiServer(t, (req) => {
      if (req.url === entry)
        return {
          status: 200,
          body: { ...done('rec-1', []), artifacts: [{ name: 'stacks.folded', bytes: 6 }] },
        };
      if (req.url === `${entry}/artifacts/stacks.folded`) return { status: 200, body: 'new\n' };
      return undefined;
    });
    const kubeconfig = await kubeconfigFor(home, server);
    const result = await runCli(runDownload, ['rec-1', '--kubeconfig', kubeconfig, '-o', home]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /rec-1-stacks\.folded exists already; it was not replaced/);
    assert.equal(readFileSync(join(home, 'rec-1-stacks.folded'), 'utf8'), 'kept\n');
    assert.deepEqual(
      (await readdir(home)).filter((f) => f.endsWith('.partial')),
      [],
    );

    const sneaky = await startFakeApiServer(t, () => ({
      status: 403,
      body: { message: `forbidden${ESC}]0;owned${ESC}\\${ESC}[2K\r` },
    }));
    const refused = await runCli(runDownload, ['rec-1', '--kubeconfig', await kubeconfigFor(home, sneaky)]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /forbidden/);
    assert.doesNotMatch(refused.stderr, new RegExp(`[${ESC}\r]`));
  });
});
