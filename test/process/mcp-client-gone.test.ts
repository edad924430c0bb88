// `furnace mcp --server` whose client goes away while a recording runs: the MCP SDK's own client starts a
// 120 s recording of a busy program on a local Furnace and closes (its stdin ends) at the first progress.
// The recording is stopped on request, keeps what it sampled, and the server process exits once it has
// seen the recording to its end.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { eventually } from '../harness/eventually.ts';
import { runHotProgram } from '../harness/hot-program.ts';
import { fetchJson } from '../harness/http.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { callTool, startMcp } from '../harness/mcp-client.ts';
import { tempDir } from '../harness/temp-dirs.ts';

interface Entry {
  id: string;
  state: string;
  endReason?: string;
  samples?: number;
}

describe('furnace mcp when its client goes away', () => {
  it('stops the running recording, keeps what was sampled, and exits', async (t) => {
    const server = await startLocalServer(t);
    const dir = await tempDir(t, 'furnace-mcp-gone-');
    const pattern = await runHotProgram(t, dir, 120, 50);
    const mcp = await startMcp(t, {
      args: ['--server', server.baseUrl],
      env: { FURNACE_KEY: server.key },
    });
    const pid = mcp.pid();
    let id = '';
    const gone = new Promise<void>((resolve) => {
      callTool(
        mcp,
        'record',
        { pod: hostname(), processPattern: pattern, durationSeconds: 120 },
        {
          onprogress: (p) => {
            id = /^(\S+):/.exec(p.message ?? '')?.[1] ?? id;
            if (p.progress > 0 && id !== '') void mcp.client.close().then(resolve);
          },
        },
      ).catch(() => undefined); // the call ends with the connection
    });
    await gone;
    const started = Date.now();

    const entry = await eventually(
      async () => {
        const answer = await fetchJson<Entry>(`${server.baseUrl}/api/v1/recordings/${id}`, {
          headers: server.headers,
        });
        return answer.status === 200 && answer.body.state === 'done' ? answer.body : undefined;
      },
      60_000,
      `recording ${id} catalogued as done`,
    );
    assert.match(entry.endReason ?? '', /^stopped by \S+ after \d+ s$/, JSON.stringify(entry));
    assert.ok((entry.samples ?? 0) > 0, JSON.stringify(entry));
    assert.ok(Date.now() - started < 60_000, 'well before its 120 s');
    const exited = (): boolean => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    await eventually(
      () => Promise.resolve(exited() ? true : undefined),
      30_000,
      `furnace mcp (pid ${pid}) to exit after its client went away (stderr: ${mcp.stderr()})`,
    );
  });
});
