// Whether a profile got slower than an earlier one of the same program, and in which functions, without
// flagging the chance movement of a stationary program's shares. Pure; the method is in docs/regressions.md.
// Functions are matched by name; the test is reference-test.ts.
import type { FoldedStacks } from '../stacks/folded.ts';
import {
  DEFAULT_COMPARE_OPTIONS,
  type CompareOptions,
  type FunctionComparison,
  type FunctionShares,
  type ProfileComparison,
  type ProfileReason,
  type Verdict,
} from './comparison-types.ts';
import { countFoldedText, countFunctions, divisorOf, type FunctionCounts } from './function-counts.ts';
import { testAgainstReference } from './reference-test.ts';

export * from './comparison-types.ts';

/** Compares the folded stacks of two recordings of the same program, `before` the earlier one. */
export function compareProfiles(
  before: FoldedStacks,
  after: FoldedStacks,
  options: CompareOptions = {},
): ProfileComparison {
  return compareCounts(countFunctions(before), countFunctions(after), options);
}

/** compareProfiles of two folded texts as the catalog stores them, read in place (no map of stacks made). */
export function compareFoldedText(
  before: string,
  after: string,
  options: CompareOptions = {},
): ProfileComparison {
  return compareCounts(countFoldedText(before), countFoldedText(after), options);
}

/** compareProfiles on counts already made (countFunctions), to compare one profile with several. */
export function compareCounts(
  before: FunctionCounts,
  after: FunctionCounts,
  options: CompareOptions = {},
): ProfileComparison {
  const settings = { ...DEFAULT_COMPARE_OPTIONS, ...options };
  const scale = settings.countPerSample === 'auto' ? sampleUnit(before, after) : settings.countPerSample;
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
  const { tested, background, statistic } = testAgainstReference(rows, beforeSamples, afterSamples, settings);
  const verdict = verdictOf(rows);
  if (verdict === 'not-comparable') reasons.push('functions-not-matched');
  const functions = listed(rows, settings.top);
  return { ...base, verdict, background, tested: tested.length, statistic, functions };
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

function listed(rows: FunctionComparison[], top: number): FunctionComparison[] {
  const marked = rows.filter((row) => row.verdict !== 'unchanged');
  const rest = rows.filter((row) => row.verdict === 'unchanged');
  const bySize = (x: FunctionComparison, y: FunctionComparison): number =>
    Math.abs(y.selfChange) - Math.abs(x.selfChange) || x.name.localeCompare(y.name);
  return [...marked.sort(bySize), ...rest.sort(bySize)].slice(0, top);
}

/**
 * The greatest common divisor of every stack's count of both profiles: one sample's weight when periods
 * are fixed. (The smallest count is not: a program of few stacks may have none sampled only once.)
 */
function sampleUnit(before: FunctionCounts, after: FunctionCounts): number {
  const divisor = divisorOf(before.countDivisor, after.countDivisor);
  return divisor > 0 ? divisor : 1;
}
