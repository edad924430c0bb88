// `furnace mcp --server` as a subprocess whose process is ended by a signal from outside mid-call, as
// something on a loaded machine might: the SDK's client (the test harness's session, and the MCP
// Inspector's CLI mode) then says only 'MCP error -32000: Connection closed', and the server writes nothing
// on stderr. The harness says how the server ended, so such a failure in another test explains itself. The
// Furnace it calls is a stand-in on loopback (a fake at the network boundary) that never answers, so the
// call is still pending when the signal comes.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { callTool, startMcp } from '../harness/mcp-client.ts';
import { runInspector } from '../harness/mcp-inspector.ts';
import { portOf } from '../harness/ports.ts';
import { childPids } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';

/** A stand-in Furnace that holds every request unanswered; `asked` resolves at the first. */
async function silentFurnace(t: TestContext): Promise<{ url: string; asked: Promise<IncomingMessage> }> {
  const server = createServer();
  const asked = once(server, 'request').then(([request]) => request as IncomingMessage);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${portOf(server)}`, asked };
}

/** The `furnace mcp` process under `pid` (the inspector, then its CLI, then the shell around the server). */
async function mcpUnder(pid: number): Promise<number | undefined> {
  for (const child of await childPids(pid)) {
    const argv = (await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (argv[1]?.endsWith('/cli/bin.js') && argv[2] === 'mcp') return child;
    const below = await mcpUnder(child);
    if (below !== undefined) return below;
  }
  return undefined;
}

describe('furnace mcp ended by a signal mid-call (stand-in Furnace)', () => {
  it("the SDK's client says 'Connection closed', the server said nothing, and the session says SIGTERM", async (t) => {
    const furnace = await silentFurnace(t);
    const mcp = await startMcp(t, { args: ['--server', furnace.url], env: { FURNACE_KEY: 'k' } });
    const listing = callTool(mcp, 'list', {});
    await furnace.asked;
    process.kill(mcp.pid(), 'SIGTERM');
    await assert.rejects(listing, /MCP error -32000: Connection closed/);
    assert.equal(mcp.stderr(), '', 'a process ended by a signal writes nothing on stderr');
    assert.match(mcp.ended() ?? '', /^furnace mcp \(pid \d+\) was ended by SIGTERM, \d+ ms after its start$/);
  });

  it("the inspector's failure says how its server ended: status 143 (SIGTERM)", async (t) => {
    const dir = await workDir(t, 'mcp-server-killed');
    const furnace = await silentFurnace(t);
    let inspectorPid = 0;
    const inspecting = runInspector(
      { dir, env: { FURNACE_KEY: 'k' }, onStart: (child) => (inspectorPid = child.pid ?? 0) },
      ['--method', 'tools/call', '--tool-name', 'list', '--', '--server', furnace.url],
    );
    await furnace.asked;
    const server = await mcpUnder(inspectorPid);
    assert.ok(server, 'the furnace mcp process under the inspector');
    process.kill(server, 'SIGTERM');
    await assert.rejects(inspecting, (error: Error) => {
      assert.match(error.message, /MCP error -32000: Connection closed/);
      assert.match(error.message, /furnace mcp exited with status 143 at \d\d:\d\d:\d\d/);
      return true;
    });
  });
});
