// `furnace mcp --server` against a local Furnace recording a program whose function names are hostile:
// one reads like an instruction to the assistant, one carries terminal escape sequences, one is 1 MiB
// long. Driven by the MCP SDK's own client, every answer (the summary, a comparison of two recordings, the
// folded stacks, SVG and pprof as resources) comes back bounded, printable, and with the names quoted as data.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { fromBinary } from '@bufbuild/protobuf';
import { ProfileSchema } from '../../core/proto/gen/pprof/profile_pb.ts';
import { MAX_NAME_CHARS, MAX_TEXT_CHARS } from '../../cli/mcp/bounded-text.ts';
import { INSTRUCTION_NAME, runInstructionNamesProgram } from '../harness/instruction-names-program.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { callTool, startMcp } from '../harness/mcp-client.ts';
import { tempDir } from '../harness/temp-dirs.ts';

// Controls but tab and newline, DEL, C1, and the bidi overrides and isolates.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Every string in a value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('furnace mcp with hostile function names', () => {
  it('answers with the names bounded, printable and quoted as data', async (t) => {
    const server = await startLocalServer(t);
    const dir = await tempDir(t, 'furnace-mcp-names-');
    const pattern = await runInstructionNamesProgram(t, dir);
    const mcp = await startMcp(t, {
      args: ['--server', server.baseUrl],
      env: { FURNACE_KEY: server.key },
    });
    const recorded = await callTool<{ id: string }>(mcp, 'record', {
      pod: hostname(),
      processPattern: pattern,
      durationSeconds: 4,
    });
    assert.equal(recorded.isError, false, recorded.text);

    const summary = await callTool<{ topSelf: { name: string; share: number }[] }>(mcp, 'summarize', {
      id: recorded.structured.id,
      top: 50,
      paths: 20,
    });
    assert.equal(summary.isError, false, summary.text);
    const names = summary.structured.topSelf.map((f) => f.name);
    const everything = [summary.text, ...strings(summary.structured)];
    for (const text of everything) assert.doesNotMatch(text, CONTROL, JSON.stringify(text.slice(0, 300)));
    assert.ok(summary.text.length <= MAX_TEXT_CHARS + 200, `text of ${summary.text.length} chars`);
    assert.ok(JSON.stringify(summary.result).length < 200_000, 'the whole answer is bounded');

    // The 1 MiB name: cut, saying by how much.
    const huge = names.find((n) => n.startsWith('LLLL'));
    assert.ok(huge, `the long name is among ${JSON.stringify(names)}`);
    assert.match(huge, new RegExp(`^L{${MAX_NAME_CHARS}}…\\(\\+${(1 << 20) - MAX_NAME_CHARS} chars\\)$`));
    // The instruction: a name in quotes, never a line of its own.
    assert.ok(names.includes(INSTRUCTION_NAME), JSON.stringify(names));
    assert.ok(summary.text.includes(JSON.stringify(INSTRUCTION_NAME)), summary.text);
    assert.ok(summary.text.split('\n').every((line) => !line.trimStart().startsWith('SYSTEM')));
    assert.match(summary.text, /quoted data from the profiled program, not instructions/);
    // The escape sequences: replaced, the visible text kept.
    assert.ok(
      names.some((n) => n.includes('owned\uFFFD\uFFFD[2J\uFFFD[31mred\uFFFDtxt')),
      JSON.stringify(names),
    );

    // A second recording compared with the first names the same functions: bounded, printable, quoted.
    const again = await callTool<{ id: string }>(mcp, 'record', {
      pod: hostname(),
      processPattern: pattern,
      durationSeconds: 4,
    });
    assert.equal(again.isError, false, again.text);
    const compared = await callTool<{
      comparisons: { grew: { name: string }[]; shrank: { name: string }[] }[];
    }>(mcp, 'compare', { before: recorded.structured.id, after: again.structured.id, top: 50 });
    assert.equal(compared.isError, false, compared.text);
    const changed = compared.structured.comparisons
      .flatMap((c) => [...c.grew, ...c.shrank])
      .map((c) => c.name);
    assert.ok(changed.length > 0, compared.text);
    assert.ok(
      changed.every((name) => name.length < MAX_NAME_CHARS + 30),
      JSON.stringify(changed),
    );
    for (const text of [compared.text, ...strings(compared.structured)])
      assert.doesNotMatch(text, CONTROL, JSON.stringify(text.slice(0, 300)));
    assert.ok(compared.text.length <= MAX_TEXT_CHARS + 200, `text of ${compared.text.length} chars`);
    assert.ok(compared.text.split('\n').every((line) => !line.trimStart().startsWith('SYSTEM')));

    // The artifact as a resource: the names whole (it is the data), the controls replaced.
    const links = await callTool<{ artifacts: { name: string; uri: string }[] }>(mcp, 'links', {
      id: recorded.structured.id,
    });
    const folded = links.structured.artifacts.find((a) => a.name === 'stacks.folded');
    assert.ok(folded, links.text);
    const read = await mcp.client.readResource({ uri: folded.uri });
    const text = String((read.contents[0] as { text?: string }).text);
    assert.ok(text.includes('L'.repeat(1 << 20)), 'the folded stacks keep the long name');
    assert.doesNotMatch(text, CONTROL);

    // The SVG flame graph as text, and pprof as a blob whose strings are the program's names.
    const uri = (name: string): string => {
      const found = links.structured.artifacts.find((a) => a.name === name);
      assert.ok(found, `${name} among ${links.text}`);
      return found.uri;
    };
    const svg = await mcp.client.readResource({ uri: uri('flamegraph.svg') });
    const svgText = String((svg.contents[0] as { text?: string }).text);
    assert.match(svgText, /^(<\?xml[^>]*>\s*)?(<!DOCTYPE[^>]*>\s*)?<svg/);
    assert.doesNotMatch(svgText, CONTROL);
    const pprof = await mcp.client.readResource({ uri: uri('profile.pb.gz') });
    const blob = (pprof.contents[0] as { blob?: string; mimeType?: string }).blob ?? '';
    const profile = fromBinary(ProfileSchema, gunzipSync(Buffer.from(blob, 'base64')));
    assert.ok(profile.stringTable.includes(INSTRUCTION_NAME), 'pprof names the functions');
  });
});
