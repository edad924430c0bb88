// The cycle rule of `npm run lint` (lint/dependency-cruiser.js), its only one: a cycle of value imports and
// one made only of a type import are refused, and the same two files with the shared type moved to a room
// of its own pass. Run with the
// project's own rule and options on fixtures, so a rule that stopped seeing type imports fails here.
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

const FIXTURES = 'test/fixtures/import-cycles';
// The rule exactly as `npm run lint` uses it (the config is JavaScript, outside the typecheck).
const { NO_CIRCULAR, CRUISE_OPTIONS } = (await import(
  join(PROJECT_ROOT, 'lint', 'dependency-cruiser.js')
)) as {
  NO_CIRCULAR: IForbiddenRuleType;
  CRUISE_OPTIONS: { tsPreCompilationDeps: boolean; doNotFollow: { path: string } };
};

/** The cycles the rule finds in one fixture folder: each as its files, and the kinds of its imports. */
async function cyclesIn(folder: string): Promise<{ files: string[]; kinds: string[] }[]> {
  const { output } = await cruise([`${FIXTURES}/${folder}`], {
    ...CRUISE_OPTIONS,
    baseDir: PROJECT_ROOT,
    validate: true,
    ruleSet: { forbidden: [NO_CIRCULAR] },
  });
  const { summary } = output as ICruiseResult;
  return summary.violations
    .filter((violation) => violation.rule.name === 'no-circular')
    .map((violation) => ({
      files: [violation.from, ...(violation.cycle ?? []).map((step) => step.name)].map((file) =>
        relative(FIXTURES, file),
      ),
      kinds: [...new Set((violation.cycle ?? []).flatMap((step) => step.dependencyTypes))].sort(),
    }));
}

describe('import cycle rule', () => {
  it('refuses a cycle of value imports', async () => {
    assert.deepEqual(await cyclesIn('values'), [
      { files: ['values/first.ts', 'values/second.ts', 'values/first.ts'], kinds: ['import', 'local'] },
    ]);
  });

  it('refuses a cycle whose way back is a type-only import', async () => {
    assert.deepEqual(await cyclesIn('type-only'), [
      {
        files: ['type-only/controller.ts', 'type-only/selection.ts', 'type-only/controller.ts'],
        kinds: ['import', 'local', 'type-only'],
      },
    ]);
  });

  it('passes the same files with the shared type in a file of its own', async () => {
    assert.deepEqual(await cyclesIn('one-way'), []);
  });
});
