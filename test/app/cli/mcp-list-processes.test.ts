// The assistant's `list` shows the processes running in a pod now, read through the aggregated path
// `/namespaces/<ns>/pods/<pod>/processes` (mapped onto the server's proxy, as the API server forwards it).
// The MCP SDK's own client over its in-memory transport, the tools of `furnace mcp`, the CLI's --server API
// and a real server app on loopback; the pod's recorder is the fixture's stand-in sidecar.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createLocalApi } from '../../../cli/local-api.ts';
import { connectAssistant } from '../../harness/mcp-client.ts';
import { portOf } from '../../harness/ports.ts';
import { buildFixture, startFakeSidecar } from '../server/server-fixture.ts';

interface PodRow {
  pod: string;
  processesRunning?: { pid: number; comm: string; container?: string; cpuPercent: number }[];
}

describe('furnace mcp list: processes running now', () => {
  it('lists each pod’s processes through the aggregated processes path, busiest first', async (t) => {
    const f = await buildFixture(t);
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    const api = createLocalApi({ server: `http://127.0.0.1:${portOf(f.app.server)}`, env: {} });
    const { client } = await connectAssistant(t, api, 'local');

    const result = (await client.callTool({
      name: 'list',
      arguments: { namespace: 'local' },
    })) as CallToolResult;
    assert.notEqual(result.isError, true, JSON.stringify(result.content));
    const pods = (result.structuredContent as { pods: PodRow[] }).pods;
    assert.deepEqual(pods[0]?.processesRunning, [
      { pid: 41, comm: 'hot', container: 'app', cpuPercent: 97.5 },
      { pid: 7, comm: 'sh', container: 'app', cpuPercent: 0 },
    ]);
    const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    assert.match(text, /processes running: "hot" \(pid 41, 97\.5% CPU\), "sh" \(pid 7, 0% CPU\)/);
    assert.ok(
      sidecar.requests.some((r) => r.method === 'GET' && r.url.startsWith('/processes')),
      'the pod’s recorder was asked',
    );
  });
});
