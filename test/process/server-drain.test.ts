// The server's stop (server/shutdown.ts) as a real process: on SIGTERM the readiness probe fails at once
// while requests are still answered for shutdown.drainSeconds (so a Service's endpoints move before the
// listeners close), then the process exits cleanly.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { eventually } from '../harness/eventually.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { tempDir } from '../harness/temp-dirs.ts';

async function status(url: string): Promise<number> {
  const answer = await fetch(url);
  await answer.arrayBuffer();
  return answer.status;
}

describe('server drain on SIGTERM', () => {
  it('turns readiness off at once, keeps answering through the drain, then exits 0', async (t) => {
    const dir = await tempDir(t, 'furnace-drain-');
    const configFile = `${dir}/config.yaml`;
    await writeFile(configFile, 'shutdown:\n  drainSeconds: 3\n');
    const server = await startLocalServer(t, { localSidecar: false, env: { FURNACE_CONFIG: configFile } });
    assert.equal(await status(`${server.baseUrl}/readyz`), 200);
    server.process.child.kill('SIGTERM');
    await eventually(
      async () => ((await status(`${server.baseUrl}/readyz`)) === 503 ? true : undefined),
      5_000,
      'readiness off',
      50,
    );
    // Still serving while the endpoints would catch up.
    assert.equal(await status(`${server.baseUrl}/healthz`), 200);
    assert.equal(await server.process.exited, 0);
    assert.match(server.process.output(), /Furnace stopped/);
  });
});
