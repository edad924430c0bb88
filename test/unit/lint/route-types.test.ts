// The route-types rule of `npm run lint` (lint/route-types.js): in server/, a route whose request types are
// written by hand as a generic is refused, and one typed by its schemas through typedRoutes passes. Run on
// fixtures with the project's own rule, so a rule that stopped firing fails here.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'route-types');
// The rule exactly as `npm run lint` uses it (the config is JavaScript, outside the typecheck).
const { NO_HAND_TYPED_ROUTES } = (await import(join(PROJECT_ROOT, 'lint', 'route-types.js'))) as {
  NO_HAND_TYPED_ROUTES: Linter.RuleEntry;
};

async function lintFixture(file: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: FIXTURES,
    ignore: false,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        rules: { 'no-restricted-syntax': NO_HAND_TYPED_ROUTES },
      },
    ],
  });
  const [result] = await eslint.lintFiles([join(FIXTURES, file)]);
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('route types rule', () => {
  it('refuses a route typed by a hand-written generic', async () => {
    const messages = await lintFixture('hand-typed.ts');
    assert.equal(messages.length, 1, messages.join('\n'));
    assert.match(messages[0] ?? '', /^no-restricted-syntax: .*come from its schemas: typedRoutes\(app\)/);
  });

  it('lets a route typed by its schemas through, and a generic call that is no route', async () => {
    assert.deepEqual(await lintFixture('schema-typed.ts'), []);
  });
});
