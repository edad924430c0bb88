// The CLI without a cluster: with no kubeconfig it says so at once and names --server; with --server it
// records, lists and downloads from a local Furnace (npm start) with the local key.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { describe, it, type TestContext } from 'node:test';
import { runHotProgram } from '../harness/hot-program.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { startProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { tcpRelay } from '../harness/tcp-relay.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { fetchJson } from '../harness/http.ts';

const TSX = import.meta.resolve('tsx');

/** `furnace ARGS` as a user's shell runs it: in `cwd`, HOME there too (no ~/.kube), only PATH besides. */
async function furnace(
  t: TestContext,
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const cli = startProcess(
    t,
    process.execPath,
    ['--import', TSX, `${PROJECT_ROOT}/cli/furnace.ts`, ...args],
    {
      cleanEnv: true,
      cwd,
      env: { HOME: cwd, ...env },
    },
  );
  const code = await cli.exited;
  return { code, output: cli.output() };
}

/**
 * A TCP relay in front of `target` that loses the answer of the first `lose` recording starts: the start
 * reaches the server, then the connection is cut before its answer (a replica or a link that died).
 */
async function answerLosingRelay(
  t: TestContext,
  target: URL,
  lose: number,
): Promise<{ url: string; starts: () => number }> {
  let starts = 0;
  let toLose = lose;
  const port = await tcpRelay(t, { host: target.hostname, port: Number(target.port) }, (client, upstream) => {
    let losing = false;
    client.on('data', (chunk: Buffer) => {
      if (/^POST \S*\/recordings(\?\S*)? HTTP/m.test(chunk.toString('latin1'))) {
        starts += 1;
        losing = toLose > 0;
        if (losing) toLose -= 1;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!losing) client.write(chunk);
      else {
        client.destroy();
        upstream.destroy();
      }
    });
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.end());
    }
  });
  return { url: `http://127.0.0.1:${port}`, starts: () => starts };
}

describe('the CLI without a cluster', () => {
  it('says there is no kubeconfig and how to reach a local Furnace, without trying localhost', async (t) => {
    const home = await tempDir(t, 'furnace-cli-home-');
    const { code, output } = await furnace(t, home, ['list']);
    assert.equal(code, 1, output);
    assert.match(
      output,
      /^furnace list: no kubeconfig: set KUBECONFIG or pass --kubeconfig to reach Furnace in a cluster, or --server http:\/\/127\.0\.0\.1:8080 for a local Furnace \(npm start\)$/m,
    );
    assert.doesNotMatch(output, /localhost|ECONNREFUSED|TLS|certificate/i);
  });

  it('records a local process through --server with the local key, and says why it ended', async (t) => {
    const local = await startLocalServer(t);
    const work = await tempDir(t, 'furnace-cli-local-');
    const program = await runHotProgram(t, work);
    const withKey = { FURNACE_KEY: local.key };
    const pod = hostname();
    const recorded = await furnace(
      t,
      work,
      ['record', pod, '--server', local.baseUrl, '--pattern', program, '-d', '3s', '-o', `${work}/out`],
      withKey,
    );
    assert.equal(recorded.code, 0, recorded.output);
    assert.match(recorded.output, /furnace record: ended: the duration was reached \(3 s\)/);
    assert.match(await readFile(`${work}/out/stacks.folded`, 'utf8'), /furnace_heavy/);
    assert.ok(existsSync(`${work}/out/flamegraph.svg`));
    // The closing hint names the same server, and works as printed.
    const hint = /also in the catalog \(furnace (download \S+ -n \S+.*)\)$/m.exec(recorded.output)?.[1];
    assert.ok(hint, recorded.output);
    assert.match(hint, new RegExp(` --server ${local.baseUrl}$`));
    const downloaded = await furnace(t, work, [...hint.split(' '), '--format', 'folded'], withKey);
    assert.equal(downloaded.code, 0, downloaded.output);
    const path = downloaded.output.trim().split('\n').pop() ?? '';
    assert.match(await readFile(`${work}/${path}`, 'utf8'), /furnace_heavy/);

    const listed = await furnace(t, work, ['list', '--server', local.baseUrl], withKey);
    assert.equal(listed.code, 0, listed.output);
    assert.match(listed.output, new RegExp(pod));

    const refused = await furnace(t, work, ['list', '--server', local.baseUrl]);
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.output, /no key: set FURNACE_KEY, or --key-file the server's <data dir>\/local-key/);
  });

  it('asks again with the same Idempotency-Key when the answer to a start is lost: one recording, done', async (t) => {
    const local = await startLocalServer(t);
    const work = await tempDir(t, 'furnace-cli-retry-');
    const program = await runHotProgram(t, work);
    const relay = await answerLosingRelay(t, new URL(local.baseUrl), 1);
    const recorded = await furnace(
      t,
      work,
      ['record', hostname(), '--server', relay.url, '--pattern', program, '-d', '2s', '-o', `${work}/out`],
      { FURNACE_KEY: local.key },
    );
    assert.equal(recorded.code, 0, recorded.output);
    assert.match(recorded.output, /furnace record: the start's answer was lost \(.+\); asking again/);
    assert.equal(relay.starts(), 2, 'the start was sent twice');
    assert.match(await readFile(`${work}/out/stacks.folded`, 'utf8'), /furnace_heavy/);
    const listed = await fetchJson<{ items: { id: string }[] }>(`${local.baseUrl}/api/v1/recordings`, {
      headers: local.headers,
    });
    assert.equal(listed.body.items.length, 1, `one recording, not two: ${JSON.stringify(listed.body.items)}`);
  });
});
