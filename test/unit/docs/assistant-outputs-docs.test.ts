// docs/assistant.md's table of structured output names every field of each tool's output schema
// (cli/mcp/tool-outputs.ts), at any depth, and marks with ? exactly the fields a schema lets be absent.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { TOOL_OUTPUTS } from '../../../cli/mcp/tool-outputs.ts';

type Schema = { properties?: Record<string, Schema>; required?: string[]; items?: Schema };

/** Every property name inside `schema`, with whether it is optional somewhere. */
function fieldsOf(schema: Schema, found = new Map<string, boolean>()): Map<string, boolean> {
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const optional = !(schema.required ?? []).includes(name);
    found.set(name, (found.get(name) ?? false) || optional);
    fieldsOf(child, found);
  }
  if (schema.items) fieldsOf(schema.items, found);
  return found;
}

/** The row of `tool` in the table under "## Structured output". */
function documentedRow(tool: string): string {
  const text = readFileSync(new URL('../../../docs/assistant.md', import.meta.url), 'utf8');
  const section = text.slice(text.indexOf('## Structured output\n')).split(/\n## /)[0] ?? '';
  const row = section.split('\n').find((line) => line.startsWith(`| \`${tool}\` |`));
  assert.ok(row, `docs/assistant.md has a row for ${tool} under "Structured output"`);
  return row.split('|')[2] ?? '';
}

describe('docs/assistant.md: each tool’s structured output', () => {
  for (const [tool, output] of Object.entries(TOOL_OUTPUTS))
    it(`names every field of ${tool}'s output schema and marks the optional ones`, () => {
      const row = documentedRow(tool);
      const fields = fieldsOf(z.toJSONSchema(output, { target: 'draft-7', io: 'output' }) as Schema);
      const named = new Set([...row.matchAll(/`([A-Za-z]+)(?:\[\])?`/g)].map((m) => m[1]));
      const marked = new Set([...row.matchAll(/`([A-Za-z]+)(?:\[\])?`\?/g)].map((m) => m[1]));
      for (const [field, optional] of fields) {
        assert.ok(named.has(field), `${tool}: ${field} is documented`);
        assert.equal(marked.has(field), optional, `${tool}: ${field} is ${optional ? '' : 'not '}marked ?`);
      }
      for (const field of marked) assert.ok(fields.has(field ?? ''), `${tool}: ${field}? is a field`);
    });
});
