// A structured result outside its tool's declared schema is caught at both ends, with the schemas of
// cli/mcp/tool-outputs.ts: the SDK's server turns it into a tool error before it is sent (zod, strict
// objects), and the SDK's client, having listed the tools, rejects it (JSON Schema, the listed
// outputSchema). Stand-in tools and a stand-in server play the tool that goes wrong; the SDK's client and
// server are the real ones, over its in-memory transport.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import {
  compareOutput,
  summarizeOutput,
  type CompareOutput,
  type SummarizeOutput,
} from '../../../cli/mcp/tool-outputs.ts';

const SUMMARY: SummarizeOutput = {
  id: 'r1',
  namespace: 'shop',
  pod: 'web',
  profile: 'cpu',
  totalSamples: 100,
  uniqueStacks: 2,
  functions: 3,
  topSelf: [{ name: 'furnace_beta', samples: 60, share: 0.6 }],
  topTotal: [{ name: 'main', samples: 100, share: 1 }],
  heaviestPaths: [{ frames: ['web', 'main', 'furnace_beta'], framesOmitted: 0, samples: 60, share: 0.6 }],
  diagnoses: [{ kind: 'recorder', text: 'no frame pointers in app' }],
};

const side = (id: string) => ({ id, namespace: 'shop', pod: 'web', totalSamples: 100 });
const COMPARISON: CompareOutput = {
  kind: 'chosen',
  after: { id: 'r2', namespace: 'shop', pod: 'web' },
  comparisons: [
    {
      against: 'chosen',
      before: side('r1'),
      after: side('r2'),
      profile: 'cpu',
      verdict: 'unchanged',
      reasons: [],
      background: 1,
      grew: [],
      shrank: [],
      functions: 3,
      method: 'core/compare',
      diff: '/compare/r1/r2',
    },
  ],
};

async function connected(t: TestContext, server: McpServer | Server): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'furnace-test', version: '1.0.0' });
  await client.connect(clientSide);
  t.after(() => client.close());
  await client.listTools();
  return client;
}

const text = (result: CallToolResult): string =>
  result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

describe('furnace mcp: a structured result outside its schema', () => {
  it("is a tool error from the SDK's server, at the top and deep inside", async (t) => {
    const server = new McpServer({ name: 'stand-in', version: '0.0.0' });
    const answers: Record<string, Record<string, unknown>> = {
      kept: { ...SUMMARY },
      top: { ...SUMMARY, unnamedShare: 0.1 },
      deep: { ...SUMMARY, topSelf: [{ name: 'furnace_beta', samples: 60, share: 0.6, z: 3 }] },
      missing: { ...SUMMARY, diagnoses: undefined },
      wrong: { ...SUMMARY, profile: 'gpu' },
    };
    for (const [name, structured] of Object.entries(answers))
      server.registerTool(name, { outputSchema: summarizeOutput }, () => ({
        content: [{ type: 'text', text: 'stand-in summary' }],
        structuredContent: structured,
      }));
    const client = await connected(t, server);

    const kept = (await client.callTool({ name: 'kept', arguments: {} })) as CallToolResult;
    assert.notEqual(kept.isError, true, text(kept));
    assert.deepEqual(kept.structuredContent, SUMMARY);
    for (const [name, field] of [
      ['top', /unnamedShare/],
      ['deep', /topSelf/],
      ['missing', /diagnoses/],
      ['wrong', /profile/],
    ] as const) {
      const refused = (await client.callTool({ name, arguments: {} })) as CallToolResult;
      assert.equal(refused.isError, true, `${name}: ${text(refused)}`);
      assert.equal(refused.structuredContent, undefined, name);
      assert.match(text(refused), /Output validation error: Invalid structured content for tool /);
      assert.match(text(refused), field);
    }
  });

  it("is rejected by the SDK's client that listed the schema, even from a server that does not check", async (t) => {
    const listed = z.toJSONSchema(compareOutput, { target: 'draft-7', io: 'output' });
    const server = new Server({ name: 'stand-in', version: '0.0.0' }, { capabilities: { tools: {} } });
    let structured: Record<string, unknown> = COMPARISON;
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [{ name: 'compare', inputSchema: { type: 'object' }, outputSchema: listed as never }],
    }));
    server.setRequestHandler(CallToolRequestSchema, () => ({
      content: [{ type: 'text', text: 'stand-in comparison' }],
      structuredContent: structured,
    }));
    const client = await connected(t, server);
    const call = () => client.callTool({ name: 'compare', arguments: {} });

    assert.deepEqual((await call()).structuredContent, COMPARISON);
    const [comparison] = COMPARISON.comparisons;
    for (const bad of [
      { ...COMPARISON, unlisted: true },
      { ...COMPARISON, comparisons: [{ ...comparison, before: { ...side('r1'), unlisted: true } }] },
      // The shape of two chosen recordings before there was one schema: no kind, a comparison at the top.
      { ...comparison, kind: undefined },
      { ...COMPARISON, kind: 'rollout' },
    ]) {
      structured = JSON.parse(JSON.stringify(bad)) as Record<string, unknown>;
      await assert.rejects(call(), /Structured content does not match the tool's output schema/);
    }
  });
});
