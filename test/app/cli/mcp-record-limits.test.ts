// The assistant's `record` within the limits the API enforces: a start over the server's limit for the
// namespace comes back as a tool error in the server's words, naming the field and the limit, and the pod's
// recorder is never reached. The MCP SDK's client in memory, the tools of `furnace mcp` on the CLI's
// --server API, a real server app on loopback with a 60 s limit, and the fixture's stand-in sidecar.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalApi } from '../../../cli/local-api.ts';
import { callTool, connectAssistant } from '../../harness/mcp-client.ts';
import { portOf } from '../../harness/ports.ts';
import { buildFixture, HOST, startFakeSidecar } from '../server/server-fixture.ts';

describe('furnace mcp record: the limits of the API', () => {
  it("refuses a start over the server's limit in the server's words, and reaches no recorder", async (t) => {
    const f = await buildFixture(t, { limits: { maxDurationSeconds: 60, maxFrequency: 499 } });
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    const api = createLocalApi({ server: `http://127.0.0.1:${portOf(f.app.server)}`, env: {} });
    const mcp = await connectAssistant(t, api, 'local');

    for (const [args, words] of [
      [{ durationSeconds: 61 }, /durationSeconds.*61.*60/],
      [{ frequency: 999 }, /frequency.*999.*499/],
    ] as const) {
      const refused = await callTool(mcp, 'record', { pod: HOST, ...args });
      assert.equal(refused.isError, true, refused.text);
      assert.match(refused.text, /^Furnace refused \(HTTP 400\): /);
      assert.match(refused.text, words);
    }
    assert.equal(sidecar.connections(), 0, 'the recorder was never reached');
  });
});
