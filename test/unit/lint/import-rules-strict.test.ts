// The lint rules as strict as the style (eslint.config.js): at most 4 parameters and 300 lines of code, the
// rooms of core/, ui/src/ and operator/ in layers, server/main.ts importing only server/modules/, and no
// module's file importing another's. Each is run on a fixture that breaks it on purpose, with the
// project's own zones and limits, so a rule that stopped firing fails here.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint, type Linter } from 'eslint';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'import-rules');
const config = (await import(join(PROJECT_ROOT, 'eslint.config.js'))) as {
  IMPORT_ZONES: object[];
  STRICT_RULES: Linter.RulesRecord;
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
        plugins: { 'import-x': importX as unknown as ESLint.Plugin },
        settings: {
          'import-x/resolver': { node: { extensions: ['.ts'] } },
          'import-x/extensions': ['.ts'],
          'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
        },
        rules: {
          ...config.STRICT_RULES,
          'import-x/no-restricted-paths': ['error', { zones: config.IMPORT_ZONES, basePath: FIXTURES }],
        },
      },
    ],
  });
  const [result] = await eslint.lintFiles([join(FIXTURES, file)]);
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('strict lint rules', () => {
  it('refuse a function of five parameters', async () => {
    const messages = await lintFixture('strict/too-many-params.ts');
    assert.equal(messages.length, 1);
    assert.match(messages[0] ?? '', /^max-params: .*too many parameters \(5\)\. Maximum allowed is 4/);
  });

  it('refuse a file of 301 lines of code, and let one of 300 through', async () => {
    const messages = await lintFixture('strict/too-long.ts');
    assert.equal(messages.length, 1);
    assert.match(messages[0] ?? '', /^max-lines: .*Maximum allowed is 300/);
    assert.deepEqual(await lintFixture('strict/long-enough.ts'), []);
  });

  it('refuse the stack model importing a renderer (core/ rooms)', async () => {
    const messages = await lintFixture('core/stacks/climbs-to-render.ts');
    assert.equal(messages.length, 1);
    assert.match(messages[0] ?? '', /core\/stacks\/ must not import .*render\//);
  });

  it('refuse the UI API client importing a page (ui/src/ rooms)', async () => {
    const messages = await lintFixture('ui/src/api/reaches-page.ts');
    assert.equal(messages.length, 1);
    assert.match(messages[0] ?? '', /ui\/src\/api\/ must not import .*pages\//);
  });

  it('refuse the install reconciler importing the recordings one (operator/ rooms)', async () => {
    const messages = await lintFixture('operator/furnace/reaches-recording.ts');
    assert.equal(messages.length, 1);
    assert.match(messages[0] ?? '', /operator\/furnace\/ must not import recording\//);
  });

  it('refuse server/main.ts importing anything but server/modules/', async () => {
    const messages = await lintFixture('server/main.ts');
    assert.equal(messages.length, 1, messages.join('\n'));
    assert.match(messages[0] ?? '', /server\/main\.ts imports only server\/modules\//);
  });

  it('refuse a module importing another module, and let the table import them all', async () => {
    const messages = await lintFixture('server/modules/a-modules.ts');
    assert.equal(messages.length, 1, messages.join('\n'));
    assert.match(messages[0] ?? '', /a server module never imports another module/);
    assert.deepEqual(await lintFixture('server/modules/module-table.ts'), []);
  });
});
