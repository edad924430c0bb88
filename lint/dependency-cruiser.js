// @ts-check
// Import cycles, type-only imports included (`npm run lint` runs dependency-cruiser with this file after
// ESLint): the project's one cycle check. A type in the wrong room is how cycles start (STYLE.md,
// "Rooms"), and ESLint's import-x/no-cycle, which skips `import type`, saw a subset of these at half of
// ESLint's time. test/unit/lint/import-cycles.test.ts checks the rule on fixtures. No cycle is excepted.

/** The rule: no module reaches itself through its imports, whatever kind they are. */
export const NO_CIRCULAR = {
  name: 'no-circular',
  comment: 'An import cycle, type-only imports included: move the shared type to the room both import.',
  severity: 'error',
  from: {},
  to: { circular: true },
};

/** How imports are read: type-only imports and re-exports count as much as any other. */
export const CRUISE_OPTIONS = {
  tsPreCompilationDeps: true,
  doNotFollow: { path: 'node_modules' },
};

/** Generated or vendored code, and fixtures that break the rules on purpose (the tests cruise them). */
const EXCLUDE = { path: '(^|/)(node_modules|dist|vendor|gen|fixtures|golden)/' };

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [/** @type {import('dependency-cruiser').IForbiddenRuleType} */ (NO_CIRCULAR)],
  options: { ...CRUISE_OPTIONS, exclude: EXCLUDE, tsConfig: { fileName: 'tsconfig.json' } },
};
