// docs/architecture.md's table of server modules is the server's own table (server/modules/module-table.ts):
// every module of SERVER_MODULES has its row, in the table's order, with exactly the modules it needs, and
// the doc names no module the server does not run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SERVER_MODULES } from '../../../server/modules/module-table.ts';

/** The rows of the table whose header is `| module | needs | …`: each module's name and its needs. */
function documentedModules(): { name: string; needs: string[] }[] {
  const text = readFileSync(new URL('../../../docs/architecture.md', import.meta.url), 'utf8');
  const table = text.slice(text.indexOf('| module | needs |')).split('\n\n')[0] ?? '';
  return table
    .split('\n')
    .slice(2)
    .map((row) => {
      const [name = '', needs = ''] = row.split('|').slice(1, 3);
      return {
        name: name.trim().replaceAll('`', ''),
        needs: needs.trim() === '—' ? [] : needs.split(',').map((need) => need.trim()),
      };
    });
}

describe('docs/architecture.md', () => {
  it('lists every server module with what it needs, as module-table.ts runs them', () => {
    const documented = documentedModules();
    assert.ok(documented.length > 0, 'the module table is in docs/architecture.md');
    assert.deepEqual(
      documented,
      SERVER_MODULES.map((module) => ({ name: module.name, needs: [...module.needs] })),
    );
  });
});
