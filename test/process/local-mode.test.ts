import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { eventually } from '../harness/eventually.ts';
import { runHotProgram } from '../harness/hot-program.ts';
import { fetchJson } from '../harness/http.ts';
import { localKeyOf } from '../harness/local-server.ts';
import { freePort, portOf } from '../harness/ports.ts';
import { childPids, startFurnace } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { buildDist, HOSTNAME, recordThroughProxy } from './server-processes.ts';

/** Local mode's terminal output: sentences a person reads, not one JSON line per request. */
function assertReadableOutput(output: string, id: string): void {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const json = lines.filter((line) => line.trimStart().startsWith('{'));
  assert.deepEqual(json, [], 'no JSON log lines in a terminal');
  const at = String.raw`^\d\d:\d\d:\d\d `;
  assert.ok(
    lines.some((l) =>
      new RegExp(`${at}recorder registered: local/${HOSTNAME} at 127\\.0\\.0\\.1:\\d+$`).test(l),
    ),
    output,
  );
  assert.ok(
    lines.some((l) =>
      new RegExp(`${at}recording ${id} started on local/${HOSTNAME} by .* \\(\\d+ s, pattern `).test(l),
    ),
    output,
  );
  assert.ok(
    lines.some((l) =>
      new RegExp(`${at}recording ${id} on local/${HOSTNAME} finished with \\d+ samples$`).test(l),
    ),
    output,
  );
}

/** Starts the server in local mode, records a C program through the proxy and checks the catalog's artifacts. */
async function recordLocally(t: TestContext, serverArgs: string[], nodeArgs?: string[]): Promise<void> {
  const dir = await tempDir(t, 'furnace-local-');
  const port = await freePort();
  const server = startFurnace(
    t,
    [...serverArgs, '--local'],
    { FURNACE_PORT: String(port), FURNACE_DATA_DIR: `${dir}/data` },
    nodeArgs,
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  await eventually(
    () => Promise.resolve(server.output().includes(baseUrl) ? true : undefined),
    60_000,
    'the URL on stdout',
  );
  const { headers: keyed } = await localKeyOf(`${dir}/data`);
  await eventually(
    async () => {
      const list = await fetchJson<{ items: { namespace: string; pod: string }[] }>(
        `${baseUrl}/api/v1/sidecars`,
        { headers: keyed },
      );
      return list.body.items.some((i) => i.namespace === 'local' && i.pod === HOSTNAME) ? true : undefined;
    },
    60_000,
    'the local sidecar to register',
  );
  const program = await runHotProgram(t, dir);
  const entry = await recordThroughProxy(baseUrl, HOSTNAME, program, keyed);
  assert.equal(entry.state, 'done');
  for (const name of ['flamegraph.svg', 'stacks.folded']) {
    const response = await fetch(`${baseUrl}/api/v1/recordings/${entry.id}/artifacts/${name}`, {
      headers: keyed,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename=/);
    const text = await response.text();
    assert.match(text, /furnace_light/, `${name} names the first hot function`);
    assert.match(text, /furnace_heavy/, `${name} names the second hot function`);
  }
  await eventually(
    () =>
      Promise.resolve(
        server.output().includes(`recording ${entry.id} on local/${HOSTNAME} finished`) || undefined,
      ),
    10_000,
    'the finished recording in the terminal output',
  );
  assertReadableOutput(server.output(), entry.id);
  const sidecars = await childPids(server.pid);
  assert.ok(sidecars.length >= 1, 'the server runs the sidecar as its child');
  assert.equal(await server.stop(), 0);
  for (const pid of sidecars) assert.throws(() => process.kill(pid, 0), 'the sidecar has exited too');
}

describe('local mode (npm start)', () => {
  it('records a C program by processPattern through the proxy and serves its flame graph and stacks from the catalog', async (t) => {
    await recordLocally(t, ['server/main.ts']);
  });

  it('does the same compiled to JavaScript without tsx, as the images run it (npm run build)', async (t) => {
    buildDist();
    await recordLocally(t, ['dist/server/main.js'], []);
  });

  it('exits non-zero with a one-line error when the port is taken', async (t) => {
    const dir = await tempDir(t, 'furnace-local-');
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    t.after(() => blocker.close());
    const port = portOf(blocker);
    const server = startFurnace(t, ['server/main.ts', '--local'], {
      FURNACE_PORT: String(port),
      FURNACE_DATA_DIR: `${dir}/data`,
    });
    const code = await server.exited;
    assert.notEqual(code, 0);
    const lines = server.output().trim().split('\n');
    assert.equal(lines.length, 1, server.output());
    assert.match(lines[0] ?? '', new RegExp(`port ${port} .*already in use`));
  });
});
