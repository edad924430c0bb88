// Whether a profile got slower than an earlier one of the same program, and in which functions, without
// flagging the chance movement of a stationary program's shares. Pure; the method is in docs/regressions.md.
//
// Per function, its self samples before (x1 of n1) and after (x2 of n2). Shares add up to one, so one
// function's growth shrinks every other share: the comparison first estimates how the unchanged part of the
// program moved (the background: the median of the functions' after/before share ratios, weighted by their
// samples), then tests each function's ratio against it with a z statistic on the log ratio, and keeps
// functions that pass Benjamini–Hochberg at `significance` over all functions tested and move by at least
// `minEffect` share points and a factor of `minRatio`. Names present on one side only are not comparable.
import type { FoldedStacks } from '../stacks/folded.ts';
import { countFunctions, type FunctionCounts } from './function-counts.ts';
import { twoSidedP } from './normal-tail.ts';

export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'not-comparable';

export interface CompareOptions {
  /** Smallest change of a function's self share, in share (0.01 = 1 point), that may be flagged. */
  minEffect?: number;
  /** Smallest factor by which a function's share must move against the background (1.2 = 20 %). */
  minRatio?: number;
  /** The false discovery rate of Benjamini–Hochberg over the functions tested. */
  significance?: number;
  /** How many function rows the result lists (flagged and not comparable ones first). */
  top?: number;
  /** Profiles with fewer samples on either side are not compared. */
  minSamples?: number;
  /** Counts per sample, for profiles whose counts are weights (nanoseconds, bytes): the test needs samples. */
  countPerSample?: number;
}

export const DEFAULT_COMPARE_OPTIONS: Readonly<Required<CompareOptions>> = Object.freeze({
  minEffect: 0.01,
  minRatio: 1.2,
  significance: 0.01,
  top: 10,
  minSamples: 200,
  countPerSample: 1,
});

export interface FunctionShares {
  /** Samples with the function as the innermost frame. */
  self: number;
  /** Samples with the function anywhere on the stack. */
  total: number;
  selfShare: number;
  totalShare: number;
}

export type NotComparableReason = 'only-before' | 'only-after';

export interface FunctionComparison {
  name: string;
  before: FunctionShares;
  after: FunctionShares;
  /** after − before self share. */
  selfChange: number;
  totalChange: number;
  /** (after share / before share) / background: how much more (> 1) or less of the program it takes. */
  ratio: number;
  /** z of the log ratio against the background; 0 for a function not tested. */
  z: number;
  /** Two-sided p-value of z, and the Benjamini–Hochberg adjusted one (1 for a function not tested). */
  p: number;
  q: number;
  verdict: Verdict;
  reason?: NotComparableReason;
}

export type ProfileReason = 'too-few-samples-before' | 'too-few-samples-after' | 'functions-not-matched';

export interface ProfileComparison {
  verdict: Verdict;
  reasons: ProfileReason[];
  beforeSamples: number;
  afterSamples: number;
  /** The after/before share ratio of the unchanged part of the program (1 when nothing moved). */
  background: number;
  /** Functions tested (those whose share on either side reaches minEffect). */
  tested: number;
  /** The largest |z| of a flagged function, else of any tested function (0 when none was tested). */
  statistic: number;
  /** Flagged and not comparable functions first (largest share change first), then the largest movers; at most `top`. */
  functions: FunctionComparison[];
  options: Required<CompareOptions>;
}

/** Compares the folded stacks of two recordings of the same program, `before` the earlier one. */
export function compareProfiles(
  before: FoldedStacks,
  after: FoldedStacks,
  options: CompareOptions = {},
): ProfileComparison {
  return compareCounts(countFunctions(before), countFunctions(after), options);
}

/** compareProfiles on counts already made (countFunctions), to compare one profile with several. */
export function compareCounts(
  before: FunctionCounts,
  after: FunctionCounts,
  options: CompareOptions = {},
): ProfileComparison {
  const settings = { ...DEFAULT_COMPARE_OPTIONS, ...options };
  const scale = settings.countPerSample;
  const beforeSamples = before.samples / scale;
  const afterSamples = after.samples / scale;
  const reasons: ProfileReason[] = [];
  if (beforeSamples < settings.minSamples) reasons.push('too-few-samples-before');
  if (afterSamples < settings.minSamples) reasons.push('too-few-samples-after');
  const rows = joinFunctions(before, after, scale);
  const base = { reasons, beforeSamples, afterSamples, options: settings };
  if (reasons.length > 0) {
    const functions = listed(rows, settings.top);
    return { ...base, verdict: 'not-comparable', background: 1, tested: 0, statistic: 0, functions };
  }
  const background = backgroundRatio(rows);
  const tested = testFunctions(rows, background, settings.minEffect);
  adjustBenjaminiHochberg(tested);
  const statistic = flagFunctions(tested, background, settings);
  const verdict = verdictOf(rows);
  if (verdict === 'not-comparable') reasons.push('functions-not-matched');
  const functions = listed(rows, settings.top);
  return { ...base, verdict, background, tested: tested.length, statistic, functions };
}

/** Marks names on one side only as not comparable and sets z and p of the rest; returns those tested. */
function testFunctions(
  rows: FunctionComparison[],
  background: number,
  minEffect: number,
): FunctionComparison[] {
  const tested: FunctionComparison[] = [];
  for (const row of rows) {
    // A function below minEffect on both sides cannot move by minEffect: testing it would only cost power.
    if (Math.max(row.before.selfShare, row.after.selfShare) < minEffect) continue;
    if (row.before.self === 0 || row.after.self === 0) {
      row.verdict = 'not-comparable';
      row.reason = row.before.self === 0 ? 'only-after' : 'only-before';
      continue;
    }
    row.ratio = row.after.selfShare / row.before.selfShare / background;
    // The delta method's variance of the log of a share ratio between two binomial samples.
    const variance =
      (1 - row.before.selfShare) / row.before.self + (1 - row.after.selfShare) / row.after.self;
    row.z = Math.log(row.ratio) / Math.sqrt(variance);
    row.p = twoSidedP(row.z);
    tested.push(row);
  }
  return tested;
}

/** Flags the significant, large enough changes; returns the largest |z| flagged, else of any tested. */
function flagFunctions(
  tested: FunctionComparison[],
  background: number,
  settings: Required<CompareOptions>,
): number {
  let statistic = 0;
  let flagged = 0;
  for (const row of tested) {
    statistic = Math.max(statistic, Math.abs(row.z));
    const big = Math.abs(row.after.selfShare - row.before.selfShare * background) >= settings.minEffect;
    const far = row.ratio >= settings.minRatio || row.ratio <= 1 / settings.minRatio;
    if (row.q > settings.significance || !big || !far) continue;
    row.verdict = row.ratio > 1 ? 'regressed' : 'improved';
    flagged = Math.max(flagged, Math.abs(row.z));
  }
  return flagged > 0 ? flagged : statistic;
}

/** Regressed over improved over not comparable: a slower function is what the comparison must not hide. */
function verdictOf(rows: readonly FunctionComparison[]): Verdict {
  for (const verdict of ['regressed', 'improved', 'not-comparable'] as const)
    if (rows.some((row) => row.verdict === verdict)) return verdict;
  return 'unchanged';
}

function joinFunctions(before: FunctionCounts, after: FunctionCounts, scale: number): FunctionComparison[] {
  const shares = (counts: FunctionCounts, id: number | undefined): FunctionShares => {
    const self = id === undefined ? 0 : (counts.self[id] as number) / scale;
    const total = id === undefined ? 0 : (counts.total[id] as number) / scale;
    const samples = counts.samples / scale;
    return {
      self,
      total,
      selfShare: samples > 0 ? self / samples : 0,
      totalShare: samples > 0 ? total / samples : 0,
    };
  };
  const afterIds = new Map<string, number>();
  after.names.forEach((name, id) => {
    if ((after.total[id] as number) > 0) afterIds.set(name, id);
  });
  const rows: FunctionComparison[] = [];
  const make = (name: string, b: number | undefined, a: number | undefined): void => {
    const was = shares(before, b);
    const now = shares(after, a);
    rows.push({
      name,
      before: was,
      after: now,
      selfChange: now.selfShare - was.selfShare,
      totalChange: now.totalShare - was.totalShare,
      ratio: 1,
      z: 0,
      p: 1,
      q: 1,
      verdict: 'unchanged',
    });
  };
  before.names.forEach((name, id) => {
    if ((before.total[id] as number) === 0) return;
    make(name, id, afterIds.get(name));
    afterIds.delete(name);
  });
  for (const [name, id] of afterIds) make(name, undefined, id);
  return rows;
}

/** The weighted median of after/before self share ratios over functions on both sides (1 when none). */
function backgroundRatio(rows: readonly FunctionComparison[]): number {
  const pairs = rows
    .filter((row) => row.before.self > 0 && row.after.self > 0)
    .map((row) => ({
      ratio: row.after.selfShare / row.before.selfShare,
      weight: row.before.self + row.after.self,
    }))
    .sort((x, y) => x.ratio - y.ratio);
  const half = pairs.reduce((sum, pair) => sum + pair.weight, 0) / 2;
  let seen = 0;
  for (const pair of pairs) {
    seen += pair.weight;
    if (seen >= half) return pair.ratio;
  }
  return 1;
}

/** Sets each row's q: the smallest false discovery rate at which Benjamini–Hochberg would reject it. */
function adjustBenjaminiHochberg(rows: FunctionComparison[]): void {
  const sorted = [...rows].sort((x, y) => y.p - x.p);
  const m = sorted.length;
  let smallest = 1;
  sorted.forEach((row, index) => {
    const rank = m - index;
    smallest = Math.min(smallest, (row.p * m) / rank);
    row.q = smallest;
  });
}

function listed(rows: FunctionComparison[], top: number): FunctionComparison[] {
  const marked = rows.filter((row) => row.verdict !== 'unchanged');
  const rest = rows.filter((row) => row.verdict === 'unchanged');
  const bySize = (x: FunctionComparison, y: FunctionComparison): number =>
    Math.abs(y.selfChange) - Math.abs(x.selfChange) || x.name.localeCompare(y.name);
  return [...marked.sort(bySize), ...rest.sort(bySize)].slice(0, top);
}
