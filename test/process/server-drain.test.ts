// The server's stop (server/shutdown.ts) as a real process: on SIGTERM the readiness probe fails at once
// while requests are still answered for shutdown.drainSeconds (so a Service's endpoints move before the
// listeners close), each answer asking its client to close the connection (so a keep-alive client such as
// the API server calling the webhook reconnects to a ready replica instead of meeting the close at the
// end), then the process exits cleanly.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { eventually } from '../harness/eventually.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { tempDir } from '../harness/temp-dirs.ts';

async function answerOf(url: string): Promise<{ status: number; connection: string | null }> {
  const answer = await fetch(url);
  await answer.arrayBuffer();
  return { status: answer.status, connection: answer.headers.get('connection') };
}

async function status(url: string): Promise<number> {
  return (await answerOf(url)).status;
}

describe('server drain on SIGTERM', () => {
  it('turns readiness off at once, keeps answering through the drain with connection: close, then exits 0', async (t) => {
    const dir = await tempDir(t, 'furnace-drain-');
    const configFile = `${dir}/config.yaml`;
    await writeFile(configFile, 'shutdown:\n  drainSeconds: 3\n');
    const server = await startLocalServer(t, { localSidecar: false, env: { FURNACE_CONFIG: configFile } });
    assert.deepEqual(await answerOf(`${server.baseUrl}/readyz`), { status: 200, connection: 'keep-alive' });
    server.process.child.kill('SIGTERM');
    await eventually(
      async () => ((await status(`${server.baseUrl}/readyz`)) === 503 ? true : undefined),
      5_000,
      'readiness off',
      50,
    );
    // Still serving while the endpoints would catch up.
    assert.deepEqual(await answerOf(`${server.baseUrl}/healthz`), { status: 200, connection: 'close' });
    assert.equal(await server.process.exited, 0);
    assert.match(server.process.output(), /Furnace stopped/);
  });
});
