// The assistant's `compare` of a workload before and after a rollout: given only the new version's
// recording, it compares it with the recording of the workload's pod before the rollout and with the
// workload's pinned baseline, as the server finds them (GET …/recordings/<id>/regression). The MCP SDK's
// client in memory, the tools of `furnace mcp` on the CLI's --server API, and a real server app on
// loopback whose catalog holds three versions of a Deployment's pod, the third making furnace_beta 3× as
// expensive.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalApi } from '../../../cli/local-api.ts';
import { callTool, connectAssistant } from '../../harness/mcp-client.ts';
import { portOf } from '../../harness/ports.ts';
import { catalogFolded } from '../server/fixture-catalog.ts';
import { buildFixture } from '../server/server-fixture.ts';

/** The sidecar's folded stacks of the program, its functions' sample counts given. */
const folded = (alpha: number, beta: number, gamma: number): string =>
  [`web;main;furnace_alpha ${alpha}`, `web;main;furnace_beta ${beta}`, `web;main;furnace_gamma ${gamma}`]
    .join('\n')
    .concat('\n');

interface Change {
  name: string;
  beforeSamples: number;
  afterSamples: number;
  delta: number;
  verdict: string;
}
interface Rollout {
  kind: string;
  after: { id: string; pod: string };
  workload?: string | null;
  comparisons: { against: string; before: { id: string }; verdict: string; grew: Change[]; diff: string }[];
}

describe('furnace mcp compare: a workload before and after a rollout', () => {
  it("compares a version with the workload's recording before it and its pinned baseline", async (t) => {
    const f = await buildFixture(t);
    const versions = [
      { id: 'v1', pod: 'web-7d9f8c6b5-x2k4q', folded: folded(400, 200, 400) },
      { id: 'v2', pod: 'web-6c4f9b7d8-p9m3z', folded: folded(405, 196, 399) },
      { id: 'v3', pod: 'web-5b8d7c9f6-q4w8e', folded: folded(400, 600, 400) },
    ];
    for (const [minute, v] of versions.entries()) await catalogFolded(f, { namespace: 'shop', minute, ...v });
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    const api = createLocalApi({ server: `http://127.0.0.1:${portOf(f.app.server)}`, env: {} });
    const mcp = await connectAssistant(t, api, 'shop', 'https://furnace.example.com');

    // The first version has nothing before it: said so, not an error.
    const first = await callTool<Rollout>(mcp, 'compare', { after: 'v1' });
    assert.equal(first.isError, false, first.text);
    assert.equal(first.structured.kind, 'workload');
    assert.deepEqual(first.structured.comparisons, []);
    assert.match(first.text, /no earlier recording of its workload/);

    // v2 → v3 without naming v2: furnace_beta regressed, about 3× its samples.
    const rollout = await callTool<Rollout>(mcp, 'compare', { after: 'v3' });
    assert.equal(rollout.isError, false, rollout.text);
    assert.equal(rollout.structured.workload, null);
    assert.deepEqual(
      rollout.structured.comparisons.map((c) => [c.against, c.before.id, c.verdict]),
      [['previous', 'v2', 'regressed']],
    );
    const [grew] = rollout.structured.comparisons[0]?.grew ?? [];
    assert.deepEqual(grew && [grew.name, grew.beforeSamples, grew.afterSamples, grew.verdict], [
      'furnace_beta',
      196,
      600,
      'regressed',
    ]);
    assert.match(
      rollout.text,
      /Against the recording of its workload before it .*, v2 \(diff graph: https:\/\/furnace\.example\.com\/compare\/v2\/v3\):/,
    );
    assert.match(rollout.text, /"furnace_beta" self 19\.6 % → 42\.9 %/);

    // With v1 pinned as deployment/web's baseline, v3 is compared with both.
    const pin = await f.app.inject({
      method: 'PUT',
      url: '/api/v1/recordings/v1/baseline',
      payload: { workload: 'deployment/web' },
    });
    assert.equal(pin.statusCode, 200, pin.body);
    const both = await callTool<Rollout>(mcp, 'compare', { after: 'v3' });
    assert.equal(both.structured.workload, 'deployment/web');
    assert.deepEqual(
      both.structured.comparisons.map((c) => [c.against, c.before.id, c.verdict, c.grew[0]?.name]),
      [
        ['previous', 'v2', 'regressed', 'furnace_beta'],
        ['baseline', 'v1', 'regressed', 'furnace_beta'],
      ],
    );
    assert.match(both.text, /\(workload deployment\/web\)/);
    assert.match(
      both.text,
      /Against its workload's pinned baseline, v1 \(diff graph: .*\/compare\/v1\/v3\):/,
    );

    // Where a person sees it: the UI's diff graph of the rollout, and the new version's flame graph.
    const links = await callTool<{ graph: string; diff: string }>(mcp, 'links', {
      id: 'v3',
      compareWith: 'v2',
    });
    assert.deepEqual(
      [links.structured.graph, links.structured.diff],
      ['https://furnace.example.com/recordings/v3', 'https://furnace.example.com/compare/v2/v3'],
    );
    assert.match(links.text, /Diff graph v2 → v3: https:\/\/furnace\.example\.com\/compare\/v2\/v3/);

    // Two chosen recordings: the same shape, with one comparison against the recording named.
    const chosen = await callTool<Rollout>(mcp, 'compare', {
      before: 'v1',
      after: 'v2',
    });
    assert.equal(chosen.isError, false, chosen.text);
    assert.deepEqual([chosen.structured.kind, chosen.structured.after.id], ['chosen', 'v2']);
    assert.equal(chosen.structured.workload, undefined);
    assert.deepEqual(
      chosen.structured.comparisons.map((c) => [c.against, c.before.id, c.verdict, c.diff]),
      [['chosen', 'v1', 'unchanged', 'https://furnace.example.com/compare/v1/v2']],
    );
    assert.match(chosen.text, /Diff graph: https:\/\/furnace\.example\.com\/compare\/v1\/v2$/);
  });
});
