// The test suite's time, as budgets (ARCHITECTURE.md, "Time and landing"): one table for the tiers, one for
// the files. test/run.sh and its runner read both; docs/testing.md explains them.
//
// A tier's budget is the seconds its files may add up to in one run. Over it, the timing table at the end of
// the run says so in one line: a warning, not a failure (the suite's time is judged by rehearsals, not by a
// test that load could fail). The figures are a full rehearsal's on the 2-core CI machine (2026-11-28: 4,863 s
// in all, every tier's files one after another but unit and app), with about a tenth of room, so that a tier
// that grows is named at once, as an image past its size budget would be. A run within CI's 30-minute goal
// needs them lower; lower one when its tier gets faster.
//
// A file's limit is how long its one process may run before the runner stops it and prints its last output,
// so that a hang names itself in minutes instead of running out CI's 90. Sizes as Bazel's (medium 300 s,
// large 900 s); a file is large only by name below.

export const TIERS = ['unit', 'app', 'process', 'fault', 'kube', 'node', 'browser'] as const;
export type Tier = (typeof TIERS)[number];

/** Seconds each tier's files may add up to in one run (a warning beyond). */
export const TIER_BUDGET_SECONDS: Record<Tier, number> = {
  unit: 240,
  app: 200, // 180 s in CI's rehearsal of 2026-11-28 with the static checks beside it (99 s → 122 s of wall time)
  process: 1200,
  fault: 800, // 713 s in a rehearsal of 2026-11-29: its files run beside the node tier's, and two beside the cluster phase
  kube: 1700,
  node: 1100, // 984 s in a rehearsal of 2026-11-29 (one file run twice): its files run beside the cluster phase's
  browser: 520,
};

/** Seconds one test file may run before it is stopped, unless it is named in LARGE_FILES. */
export const FILE_LIMIT_SECONDS = 300;
/** Seconds a large file may run. */
export const LARGE_FILE_LIMIT_SECONDS = 900;

/**
 * Seconds one process that runs many files at once (the unit and app phases, test/harness/run-files.ts --shared)
 * may run: about the sum of its files' own, with room. A file it did not finish is run again on its own.
 */
export const SHARED_PROCESS_LIMIT_SECONDS = 600;

/** Files that legitimately run past FILE_LIMIT_SECONDS, each with why. */
export const LARGE_FILES: Readonly<Record<string, string>> = {
  'test/fault/kill-at-each-stage.test.ts': 'recorders held to 4 % of a core until a kill catches each stage',
  'test/fault/sink-outage.test.ts': 'a sink kept down for two minutes while recordings queue',
};

/** The tier of a test file (its folder under test/), or undefined for a path outside the tiers. */
export function tierOf(file: string): Tier | undefined {
  const folder = /^test\/([^/]+)\//.exec(file)?.[1];
  return TIERS.find((tier) => tier === folder);
}

/**
 * FURNACE_TEST_FILE_LIMIT_SECONDS replaces every limit of this table for one run (the runner's own test stops
 * a hanging file in seconds with it).
 */
function limitOverride(env: NodeJS.ProcessEnv): number | undefined {
  const override = Number(env.FURNACE_TEST_FILE_LIMIT_SECONDS);
  return Number.isFinite(override) && override > 0 ? override : undefined;
}

/** How long a file's own process may run, in seconds. */
export function fileLimitSeconds(file: string, env: NodeJS.ProcessEnv = process.env): number {
  return limitOverride(env) ?? (file in LARGE_FILES ? LARGE_FILE_LIMIT_SECONDS : FILE_LIMIT_SECONDS);
}

/** How long a process that runs many files may run, in seconds. */
export function sharedProcessLimitSeconds(env: NodeJS.ProcessEnv = process.env): number {
  return limitOverride(env) ?? SHARED_PROCESS_LIMIT_SECONDS;
}
