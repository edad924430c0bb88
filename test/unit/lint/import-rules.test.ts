// The lint rule that keeps the folder map true (eslint.config.js): no import across a boundary of
// docs/architecture.md's map. Run on fixtures that break it on purpose, with the project's own zones and
// settings, so a rule that stopped firing fails here. (Cycles: import-cycles.test.ts.)
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'import-rules');
// The zones exactly as `npm run lint` uses them (eslint.config.js is JavaScript, outside the typecheck).
const { IMPORT_ZONES } = (await import(join(PROJECT_ROOT, 'eslint.config.js'))) as { IMPORT_ZONES: object[] };

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
          'import-x/no-restricted-paths': ['error', { zones: IMPORT_ZONES, basePath: FIXTURES }],
        },
      },
    ],
  });
  const [result] = await eslint.lintFiles([join(FIXTURES, file)]);
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('import rules', () => {
  it('refuse host/ importing a profiler', async () => {
    const messages = await lintFixture('sidecar/host/climbs-up.ts');
    assert.equal(messages.length, 1);
    assert.match(
      messages[0] ?? '',
      /import-x\/no-restricted-paths: .*sidecar\/host\/ must not import profilers\//,
    );
  });

  it('refuse ui/ importing the sidecar', async () => {
    const messages = await lintFixture('ui/reaches-sidecar.ts');
    assert.equal(messages.length, 1);
    assert.match(messages[0] ?? '', /ui\/ imports only core and itself/);
  });

  it('refuse cli/ importing the server', async () => {
    const messages = await lintFixture('cli/reaches-server.ts');
    assert.equal(messages.length, 1);
    assert.match(messages[0] ?? '', /cli\/ imports only core, kube and itself/);
  });

  it('let an import down the layers through', async () => {
    assert.deepEqual(await lintFixture('sidecar/profilers/profile.ts'), []);
    assert.deepEqual(await lintFixture('sidecar/host/processes.ts'), []);
  });
});
