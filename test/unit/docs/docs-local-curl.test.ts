// Local mode answers only with its key (401 without it, but for /healthz and /readyz): every curl example
// the docs give against a local Furnace sends it, so a command copied from them works as written.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

/** The curl commands of a Markdown file's sh blocks, continuation lines joined. */
function curlCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks
    .flatMap((block) => block.replaceAll('\\\n', ' ').split('\n'))
    .map((line) => line.trim())
    .filter((line) => line.startsWith('curl '));
}

describe('curl examples of local mode', () => {
  for (const file of ['docs/local-mode.md', 'README.md']) {
    it(`${file}: every call to the local server sends the key`, async () => {
      const text = await readFile(join(PROJECT_ROOT, file), 'utf8');
      const local = curlCommands(text).filter((c) => c.includes('$BASE') && !/\/(healthz|readyz)\b/.test(c));
      assert.ok(local.length > 0, `${file} has curl examples for $BASE`);
      // README's cluster examples send "$AUTH"; local mode's send "$KEY".
      const keyless = local.filter((c) => !c.includes('-H "$KEY"') && !c.includes('-H "$AUTH"'));
      assert.deepEqual(keyless, [], 'these would get 401');
    });
  }
});
