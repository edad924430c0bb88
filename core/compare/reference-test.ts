// Each function's samples tested against the rest of the program that did not change (the reference).
// Shares add up to one: when one function grows, every other share falls, and a test of shares alone would
// flag them all. So the test is stepwise: every function is tested against the samples of all others (a 2×2
// table, function vs reference, before vs after, its log odds ratio as z), Benjamini–Hochberg over the
// functions tested, and the strongest flagged function leaves the reference; then again, until no new
// function is flagged. A name present on one side only (renamed, inlined, new or gone) never enters the
// reference; it is tested exactly (its k samples all on one side, where each falls on the after side with
// the reference's proportion π: p = 2·(1−π)^k or 2·π^k), and when flagged is not comparable: the profiles
// cannot say whether its cost moved elsewhere.
import type { CompareOptions, FunctionComparison } from './comparison-types.ts';
import { normalQuantileUpper, twoSidedP } from './normal-tail.ts';

export interface ReferenceTest {
  tested: FunctionComparison[];
  background: number;
  /** The largest |z| of a flagged function, else of any tested one (0 when none was tested). */
  statistic: number;
}

export function testAgainstReference(
  rows: FunctionComparison[],
  beforeSamples: number,
  afterSamples: number,
  settings: Required<CompareOptions>,
): ReferenceTest {
  const excluded = new Set<FunctionComparison>();
  const tested: FunctionComparison[] = [];
  for (const row of rows) {
    // A function below minEffect on both sides cannot move by minEffect: testing it would only cost power.
    if (Math.max(row.before.selfShare, row.after.selfShare) < settings.minEffect) continue;
    tested.push(row);
    if (row.before.self === 0 || row.after.self === 0) excluded.add(row);
  }
  let statistic = 0;
  for (let round = 0; round <= tested.length; round++) {
    const reference = referenceSamples(excluded, beforeSamples, afterSamples);
    for (const row of tested) testRow(row, reference, excluded.has(row), settings.dispersion);
    adjustBenjaminiHochberg(tested);
    statistic = flagRows(tested, settings);
    const next = strongestNew(tested, excluded);
    if (next === undefined) break;
    excluded.add(next);
  }
  const reference = referenceSamples(excluded, beforeSamples, afterSamples);
  const background =
    reference.before > 0 && reference.after > 0
      ? reference.after / afterSamples / (reference.before / beforeSamples)
      : 1;
  return { tested, background, statistic };
}

interface Reference {
  before: number;
  after: number;
}

function referenceSamples(
  excluded: ReadonlySet<FunctionComparison>,
  before: number,
  after: number,
): Reference {
  let b = before;
  let a = after;
  for (const row of excluded) {
    b -= row.before.self;
    a -= row.after.self;
  }
  return { before: b, after: a };
}

function testRow(row: FunctionComparison, reference: Reference, outside: boolean, dispersion: number): void {
  // Haldane's correction where a cell is empty, so that the log odds ratio and its variance are finite.
  const half = row.before.self === 0 || row.after.self === 0 ? 0.5 : 0;
  const x1 = row.before.self + half;
  const x2 = row.after.self + half;
  const r1 = (outside ? reference.before : reference.before - row.before.self) + half;
  const r2 = (outside ? reference.after : reference.after - row.after.self) + half;
  row.verdict = 'unchanged';
  delete row.reason;
  if (r1 <= 0 || r2 <= 0) {
    row.ratio = 1;
    row.z = 0;
    row.p = 1;
    return;
  }
  row.ratio = x2 / r2 / (x1 / r1);
  if (half > 0) {
    // Conditional on the function's k samples, each is an after sample with probability π.
    const share = (r2 - half) / (r1 + r2 - 2 * half);
    const k = row.before.self + row.after.self;
    row.p = Math.min(1, 2 * (row.after.self === 0 ? 1 - share : share) ** k);
    row.z = Math.sign(Math.log(row.ratio)) * normalQuantileUpper(row.p / 2);
    return;
  }
  // Woolf's variance of a log odds ratio (the sum of the reciprocal cell counts), times the dispersion.
  row.z = Math.log(row.ratio) / Math.sqrt(dispersion * (1 / x1 + 1 / x2 + 1 / r1 + 1 / r2));
  row.p = twoSidedP(row.z);
}

/** Sets each row's q: the smallest false discovery rate at which Benjamini–Hochberg would reject it. */
function adjustBenjaminiHochberg(rows: FunctionComparison[]): void {
  const sorted = [...rows].sort((x, y) => y.p - x.p);
  const m = sorted.length;
  let smallest = 1;
  sorted.forEach((row, index) => {
    smallest = Math.min(smallest, (row.p * m) / (m - index));
    row.q = smallest;
  });
}

/** Flags the significant changes large enough to matter; returns the largest |z| flagged, else of any. */
function flagRows(tested: FunctionComparison[], settings: Required<CompareOptions>): number {
  let statistic = 0;
  let flagged = 0;
  for (const row of tested) {
    statistic = Math.max(statistic, Math.abs(row.z));
    const big = Math.abs(row.selfChange) >= settings.minEffect;
    const far = row.ratio >= settings.minRatio || row.ratio <= 1 / settings.minRatio;
    if (row.q > settings.significance || !big || !far) continue;
    if (row.before.self === 0 || row.after.self === 0) {
      row.verdict = 'not-comparable';
      row.reason = row.before.self === 0 ? 'only-after' : 'only-before';
    } else row.verdict = row.ratio > 1 ? 'regressed' : 'improved';
    flagged = Math.max(flagged, Math.abs(row.z));
  }
  return flagged > 0 ? flagged : statistic;
}

function strongestNew(
  tested: readonly FunctionComparison[],
  excluded: ReadonlySet<FunctionComparison>,
): FunctionComparison | undefined {
  let strongest: FunctionComparison | undefined;
  for (const row of tested) {
    if (row.verdict === 'unchanged' || excluded.has(row)) continue;
    if (strongest === undefined || Math.abs(row.z) > Math.abs(strongest.z)) strongest = row;
  }
  return strongest;
}
