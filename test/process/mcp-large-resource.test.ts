// `furnace mcp --server` as a subprocess, driven over stdio by the MCP SDK's own client, reading a pprof
// artifact as a resource from a stand-in catalog (a fake at the network boundary, on loopback: it serves one
// recording whose profile.pb.gz has the size the test needs). An answer travels as one line of JSON and the
// SDK's client closes the connection on a line longer than its 10 MiB read buffer ("MCP error -32000:
// Connection closed"): base64 makes 7.9 MiB of pprof 10.5 MiB. Such an artifact is refused with the
// command that downloads it, and the session goes on; a smaller one arrives whole.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { MAX_RESOURCE_BYTES, resourceUri } from '../../cli/mcp/artifact-resources.ts';
import { callTool, startMcp } from '../harness/mcp-client.ts';
import { portOf } from '../harness/ports.ts';

const ID = 'r1';
const NAMESPACE = 'shop';

/** A catalog of one recording whose pprof is `pprof`; every other path answers 404. */
async function standInCatalog(t: TestContext, pprof: Buffer): Promise<string> {
  const entry = {
    id: ID,
    namespace: NAMESPACE,
    pod: 'web',
    state: 'done',
    params: { profile: 'cpu' },
    startedAt: '2026-03-01T11:00:00.000Z',
    artifacts: [{ name: 'profile.pb.gz', bytes: pprof.length }],
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path.endsWith(`/recordings/${ID}`)) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(entry));
    } else if (path.endsWith(`/recordings/${ID}/artifacts/profile.pb.gz`)) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(pprof);
    } else {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code: 'ERR_NOT_FOUND', message: `no ${path}` }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return `http://127.0.0.1:${portOf(server)}`;
}

async function mcpOn(t: TestContext, pprof: Buffer) {
  const server = await standInCatalog(t, pprof);
  return startMcp(t, { args: ['--server', server, '-n', NAMESPACE], env: { FURNACE_KEY: 'k' } });
}

const URI = resourceUri(NAMESPACE, ID, 'profile.pb.gz');

describe('furnace mcp: a large artifact as a resource over stdio (stand-in catalog)', () => {
  it('refuses a pprof whose base64 would pass the client’s read buffer, and the session goes on', async (t) => {
    const pprof = randomBytes(MAX_RESOURCE_BYTES - 100 * 1024);
    const mcp = await mcpOn(t, pprof);
    await assert.rejects(mcp.client.readResource({ uri: URI }), (error: Error) => {
      assert.doesNotMatch(error.message, /Connection closed/, `${error.message}\n${mcp.stderr()}`);
      assert.match(error.message, /profile\.pb\.gz of r1 takes \d+ bytes as a resource, more than the \d+/);
      assert.match(error.message, /kubectl furnace download r1 -n shop --format pprof --server "http/);
      return true;
    });
    const links = await callTool<{ graph: string }>(mcp, 'links', { id: ID });
    assert.equal(links.isError, false, links.text);
    assert.match(links.structured.graph, new RegExp(`^http://127\\.0\\.0\\.1:\\d+/recordings/${ID}$`));
  });

  it('reads a pprof of 7 MiB whole', async (t) => {
    const pprof = randomBytes(7 * 1024 * 1024);
    const mcp = await mcpOn(t, pprof);
    const read = await mcp.client.readResource({ uri: URI });
    const blob = (read.contents[0] as { blob?: string }).blob ?? '';
    assert.ok(Buffer.from(blob, 'base64').equals(pprof), `${blob.length} base64 characters`);
  });
});
