// The files let off the strict limits (lint/strict-limits.js, OVER_STRICT_LIMITS) only shrink: each one
// listed still breaks a strict limit (one cut down leaves the list, so its limits hold again), and the list
// is no longer than it is now (empty: every file is within; 28 files when the limits came in).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

const { OVER_STRICT_LIMITS, STRICT_RULES } = (await import(
  join(PROJECT_ROOT, 'lint', 'strict-limits.js')
)) as {
  OVER_STRICT_LIMITS: string[];
  STRICT_RULES: Linter.RulesRecord;
};

describe('files over the strict limits', () => {
  it('lists only files that still break a strict limit, and none: every file is within', async () => {
    const eslint = new ESLint({
      cwd: PROJECT_ROOT,
      overrideConfigFile: true,
      overrideConfig: [
        { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, rules: STRICT_RULES },
      ],
    });
    // Given no files, lintFiles lints the whole directory.
    const results = OVER_STRICT_LIMITS.length === 0 ? [] : await eslint.lintFiles(OVER_STRICT_LIMITS);
    const within = results
      .filter((result) => result.messages.length === 0)
      .map((result) => result.filePath.slice(PROJECT_ROOT.length + 1));
    assert.deepEqual(within, [], 'within the strict limits: take these off OVER_STRICT_LIMITS');
    assert.ok(
      OVER_STRICT_LIMITS.length <= 0,
      `${OVER_STRICT_LIMITS.length} files over the limits; nothing joins`,
    );
  });
});
