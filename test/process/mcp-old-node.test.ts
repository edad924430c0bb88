// `furnace mcp` on this machine's own Node (20 on the test machine), which the README names as enough for
// the offline and --server verbs: with --server it serves on that Node (the MCP SDK loads there); against a
// cluster it runs itself on Node 24 as every cluster verb does, and the protocol still flows over its stdio
// (the one line about Node 24 goes to stderr). Driven by the MCP SDK's client.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { KUBE_CLIENT_NODE, nodeAtLeast } from '../../cli/node-runtime.ts';
import { execFile } from '../harness/child-processes.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { callTool, startMcp } from '../harness/mcp-client.ts';
import { tempDir } from '../harness/temp-dirs.ts';

/** This machine's own Node, as a user's shell finds it (not the Node 24 that runs the tests). */
const MACHINE_NODE = '/usr/bin/node';

describe('furnace mcp on an older Node', () => {
  it("the machine's node is older than what the Kubernetes client needs (else this file tests nothing)", async () => {
    const { stdout } = await promisify(execFile)(MACHINE_NODE, ['-p', 'process.versions.node']);
    assert.equal(nodeAtLeast(stdout.trim(), KUBE_CLIENT_NODE), false, `${MACHINE_NODE} is ${stdout}`);
  });

  it('serves a local Furnace with --server on that Node', async (t) => {
    const server = await startLocalServer(t);
    const mcp = await startMcp(t, {
      node: MACHINE_NODE,
      args: ['--server', server.baseUrl],
      env: { FURNACE_KEY: server.key },
    });
    const listed = await callTool<{ pods: { namespace: string; pod: string }[] }>(mcp, 'list', {});
    assert.equal(listed.isError, false, listed.text);
    assert.deepEqual(
      listed.structured.pods.map((p) => `${p.namespace}/${p.pod}`),
      [`local/${hostname()}`],
    );
    assert.doesNotMatch(mcp.stderr(), /running with Node 24/, 'it stayed on the machine’s Node');
  });

  it('runs itself on Node 24 to reach a cluster, its protocol on stdio all the same', async (t) => {
    const dir = await tempDir(t, 'furnace-mcp-old-node-');
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: u, user: {token: t0ken}}]',
        'contexts: [{name: x, context: {cluster: c, user: u, namespace: shop}}]',
        'current-context: x',
        '',
      ].join('\n'),
    );
    // A user's PATH, where `node` is the machine's (the tests' own PATH puts Node 24 first).
    const env = { KUBECONFIG: kubeconfig, PATH: '/usr/local/bin:/usr/bin:/bin' };
    const mcp = await startMcp(t, { node: MACHINE_NODE, args: [], env });
    const { tools } = await mcp.client.listTools();
    assert.deepEqual(
      tools.map((tool) => tool.name),
      ['list', 'record', 'summarize', 'compare', 'links'],
    );
    const unreachable = await callTool(mcp, 'list', {});
    assert.equal(unreachable.isError, true);
    // The Kubernetes client loaded (on Node 20 its import throws) and tried the kubeconfig's server.
    assert.match(unreachable.text, /could not reach the API server at https:\/\/127\.0\.0\.1:1/);
    assert.match(mcp.stderr(), /running with Node 24/);
  });
});
