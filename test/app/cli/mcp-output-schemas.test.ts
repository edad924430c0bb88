// Every tool of `furnace mcp` declares the shape of its structured content, and keeps to it: the SDK's own
// client lists each tool's outputSchema (closed at every level: no field outside it passes), calls each
// tool in each of its ways, and checks every structured result against the schema listed (as the client
// does by itself once it has listed the tools), beside a text content for clients that read none. The
// MCP SDK's client in memory, the tools of `furnace mcp` on the CLI's --server API, a real server app on
// loopback with recordings in its catalog, and the fixture's stand-in sidecar (a fake recorder) for `record`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { z } from 'zod';
import { createLocalApi } from '../../../cli/local-api.ts';
import { TOOL_OUTPUTS } from '../../../cli/mcp/tool-outputs.ts';
import { callTool, connectAssistant } from '../../harness/mcp-client.ts';
import { portOf } from '../../harness/ports.ts';
import { finishedRecordingStatus } from '../../harness/recording-status.ts';
import { catalogFolded } from '../server/fixture-catalog.ts';
import { buildFixture, HOST, startFakeSidecar } from '../server/server-fixture.ts';

type Schema = { type?: unknown; properties?: Record<string, Schema>; items?: Schema } & Record<
  string,
  unknown
>;

/** Each object schema inside `schema`, with its path. */
function objectSchemas(schema: Schema, path = '$'): [string, Schema][] {
  const found: [string, Schema][] = schema.type === 'object' ? [[path, schema]] : [];
  for (const [key, child] of Object.entries(schema.properties ?? {}))
    found.push(...objectSchemas(child, `${path}.${key}`));
  if (schema.items) found.push(...objectSchemas(schema.items, `${path}[]`));
  return found;
}

/** Each object inside `value` (the value itself first), with its path. */
function objectsIn(value: unknown, path = '$'): [string, Record<string, unknown>][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => objectsIn(item, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  const object = value as Record<string, unknown>;
  return [
    [path, object],
    ...Object.entries(object).flatMap(([key, child]) => objectsIn(child, `${path}.${key}`)),
  ];
}

const folded = (beta: number, unnamed: number): string =>
  [`web;main;furnace_alpha 400`, `web;main;furnace_beta ${beta}`, `web;[unknown] ${unnamed}`].join('\n') +
  '\n';

describe('furnace mcp: each tool’s output schema', () => {
  it('lists an object outputSchema for every tool, the one its code declares, closed at every level', async (t) => {
    const f = await buildFixture(t);
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    const api = createLocalApi({ server: `http://127.0.0.1:${portOf(f.app.server)}`, env: {} });
    const { client } = await connectAssistant(t, api, 'shop');

    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), Object.keys(TOOL_OUTPUTS).sort());
    for (const tool of tools) {
      const listed = tool.outputSchema as Schema | undefined;
      assert.ok(listed, `${tool.name} lists an outputSchema`);
      assert.equal(listed.type, 'object', tool.name);
      const declared = z.toJSONSchema(TOOL_OUTPUTS[tool.name as keyof typeof TOOL_OUTPUTS], {
        target: 'draft-7',
        io: 'output',
      });
      assert.deepEqual(
        listed,
        declared,
        `${tool.name}: the schema listed is the one tool-outputs.ts declares`,
      );
      for (const [path, schema] of objectSchemas(listed)) {
        assert.equal(schema.additionalProperties, false, `${tool.name} ${path} admits no other field`);
        assert.ok(Object.keys(schema.properties ?? {}).length > 0, `${tool.name} ${path} names its fields`);
      }
    }
  });

  it('answers every tool, each way it is called, with text and structured content its schema accepts', async (t) => {
    const f = await buildFixture(t);
    for (const [minute, v] of [
      { id: 'v1', pod: 'web-7d9f8c6b5-x2k4q', folded: folded(200, 0) },
      { id: 'v2', pod: 'web-6c4f9b7d8-p9m3z', folded: folded(600, 30) },
    ].entries())
      await catalogFolded(f, { namespace: 'shop', minute, ...v });
    const sidecar = await startFakeSidecar(t, {
      statusOf: (id) => finishedRecordingStatus(id, { samples: 480, warnings: ['no frame pointers in app'] }),
    });
    await f.registerLocal(sidecar.port);
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    const api = createLocalApi({ server: `http://127.0.0.1:${portOf(f.app.server)}`, env: {} });
    const mcp = await connectAssistant(t, api, 'shop', 'https://furnace.example.com');
    const { tools } = await mcp.client.listTools();
    const validator = new AjvJsonSchemaValidator();
    const validate = (tool: string) => {
      const schema = tools.find((x) => x.name === tool)?.outputSchema;
      assert.ok(schema, tool);
      return validator.getValidator(schema);
    };

    const calls: [string, Record<string, unknown>][] = [
      ['list', {}],
      ['list', { namespace: 'local' }],
      ['list', { allNamespaces: true, recordings: 1 }],
      ['record', { namespace: 'local', pod: HOST, durationSeconds: 5 }],
      ['summarize', { id: 'v2', top: 2, paths: 1 }],
      ['compare', { before: 'v1', after: 'v2' }],
      ['compare', { after: 'v2' }],
      ['compare', { after: 'v1' }],
      ['links', { id: 'v2', compareWith: 'v1' }],
    ];
    const fieldsSeen = new Map<string, Set<string>>();
    for (const [tool, args] of calls) {
      const what = `${tool} ${JSON.stringify(args)}`;
      // The client checks the structured content against the listed schema itself: a call whose result
      // does not match rejects here.
      const answer = await callTool(mcp, tool, args);
      assert.equal(answer.isError, false, `${what}: ${answer.text}`);
      assert.ok(answer.text.length > 0, `${what} has a text content`);
      const check = validate(tool)(answer.structured);
      assert.ok(check.valid, `${what}: ${check.errorMessage}`);
      // A field outside the schema, at any depth of this very answer, is refused.
      for (const [path, object] of objectsIn(answer.structured)) {
        object.unlisted = 'x';
        const refused = validate(tool)(answer.structured);
        delete object.unlisted;
        assert.equal(refused.valid, false, `${what}: a field outside the schema at ${path} is refused`);
        assert.match(refused.errorMessage ?? '', /additional properties/, path);
      }
      const seen = fieldsSeen.get(tool) ?? new Set<string>();
      for (const [path, object] of objectsIn(answer.structured))
        for (const key of Object.keys(object)) seen.add(`${path.replace(/\[\d+\]/g, '[]')}.${key}`);
      fieldsSeen.set(tool, seen);
    }

    // Each way of calling gave what the schema says it gives: compare's two kinds in one shape.
    const chosen = await callTool<{ kind: string; comparisons: { against: string }[] }>(mcp, 'compare', {
      before: 'v1',
      after: 'v2',
    });
    assert.deepEqual(
      [chosen.structured.kind, chosen.structured.comparisons.map((c) => c.against)],
      ['chosen', ['chosen']],
    );
    const rollout = await callTool<{ kind: string; workload: string | null; comparisons: unknown[] }>(
      mcp,
      'compare',
      { after: 'v2' },
    );
    assert.deepEqual([rollout.structured.kind, rollout.structured.workload], ['workload', null]);
    assert.equal(rollout.structured.comparisons.length, 1);
    // The optional parts were there to be checked: a recording's warnings, diagnoses measured and said.
    for (const field of [
      'record:$.warnings',
      'record:$.artifacts',
      'summarize:$.diagnoses[].samples',
      'list:$.pods[].processesRunning[].container',
      'links:$.diff',
      'compare:$.comparisons[].grew[].verdict',
    ]) {
      const [tool, path] = field.split(':') as [string, string];
      assert.ok(
        fieldsSeen.get(tool)?.has(path),
        `${field} among ${[...(fieldsSeen.get(tool) ?? [])].join(' ')}`,
      );
    }
  });
});
