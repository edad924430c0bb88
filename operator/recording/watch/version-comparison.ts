// What a comparison of two recorded versions becomes where people look: the status entry (with links to the
// UI's comparison and both merged graphs), the ProfileRegressed condition and the Events. Pure; the method
// that decides which function changed is core/compare/ (passed in as `CompareVersions`).
import {
  WATCH_CONDITIONS,
  WATCH_EVENT_REASONS,
  WATCH_TOP_CHANGES,
  type ComparisonVerdict,
  type FunctionChange,
  type WatchComparison,
  type WatchVersion,
} from '../../../core/crd/recording-watch.ts';
import type { FoldedStacks } from '../../../core/stacks/folded.ts';
import { mergedLinks, recordingLinks } from '../links.ts';
import type { RecordingStatus } from '../recording-types.ts';
import { setCondition } from './conditions.ts';
import type { WatchEvent } from './plan-watch.ts';

/** The part of core/compare's answer the watch reads: each function's self share (0..1) and verdict. */
export interface ComparedFunction {
  name: string;
  before: { selfShare: number };
  after: { selfShare: number };
  verdict: string;
}
export interface ComparedProfiles {
  verdict: string;
  reasons: readonly string[];
  beforeSamples: number;
  afterSamples: number;
  functions: readonly ComparedFunction[];
}
export type CompareVersions = (before: FoldedStacks, after: FoldedStacks) => ComparedProfiles;

const percent = (share: number): number => Math.round(share * 10_000) / 100;

function linksOf(version: WatchVersion) {
  const ids = version.recordings.map((r) => r.recordingId);
  return ids.length === 1 ? recordingLinks(ids[0] ?? '') : mergedLinks(ids);
}

/** The UI's comparison page of the two versions (their first pods' recordings: the page takes one of each). */
export function compareUiPath(before: WatchVersion, after: WatchVersion): string {
  const a = encodeURIComponent(before.recordings[0]?.recordingId ?? '');
  const b = encodeURIComponent(after.recordings[0]?.recordingId ?? '');
  return `/compare/${a}/${b}`;
}

export function describeComparison(
  before: WatchVersion,
  after: WatchVersion,
  compared: ComparedProfiles,
  now: Date,
): WatchComparison {
  const flagged = compared.functions.filter((f) => f.verdict === 'regressed' || f.verdict === 'improved');
  const changes: FunctionChange[] = (['regressed', 'improved'] as const).flatMap((direction) =>
    flagged
      .filter((f) => f.verdict === direction)
      .slice(0, WATCH_TOP_CHANGES)
      .map((f) => ({
        name: f.name,
        direction,
        before: percent(f.before.selfShare),
        after: percent(f.after.selfShare),
      })),
  );
  const verdict: ComparisonVerdict = changes.some((c) => c.direction === 'regressed')
    ? 'regressed'
    : changes.length > 0
      ? 'improved'
      : compared.verdict === 'not-comparable'
        ? 'not-comparable'
        : 'unchanged';
  const notComparable = compared.functions
    .filter((f) => f.verdict === 'not-comparable')
    .slice(0, WATCH_TOP_CHANGES * 2)
    .map((f) => f.name);
  return {
    from: before.version,
    to: after.version,
    verdict,
    comparedAt: now.toISOString(),
    samples: { before: Math.round(compared.beforeSamples), after: Math.round(compared.afterSamples) },
    ...(compared.reasons.length > 0 ? { reasons: [...compared.reasons] } : {}),
    ...(notComparable.length > 0 ? { notComparable } : {}),
    changes,
    links: {
      ui: compareUiPath(before, after),
      before: linksOf(before),
      after: linksOf(after),
    },
  };
}

function changeList(changes: readonly FunctionChange[], direction: FunctionChange['direction']): string {
  return changes
    .filter((c) => c.direction === direction)
    .map((c) => `${c.name} ${c.before.toFixed(1)}% → ${c.after.toFixed(1)}%`)
    .join(', ');
}

/** The Events of a comparison: one regressed, one improved, or none. */
export function comparisonEvents(workload: string, comparison: WatchComparison): WatchEvent[] {
  const head = `${workload} version ${comparison.from} → ${comparison.to} (self share of all samples)`;
  const tail = `; compare: ${comparison.links.ui}`;
  const events: WatchEvent[] = [];
  const slower = changeList(comparison.changes, 'regressed');
  const faster = changeList(comparison.changes, 'improved');
  if (slower)
    events.push({
      reason: WATCH_EVENT_REASONS.regressed,
      type: 'Warning',
      message: `${head}: more expensive: ${slower}${faster ? `; less: ${faster}` : ''}${tail}`,
    });
  else if (faster)
    events.push({
      reason: WATCH_EVENT_REASONS.improved,
      type: 'Normal',
      message: `${head}: less expensive: ${faster}${tail}`,
    });
  return events;
}

/** The ProfileRegressed condition after a comparison. */
export function withRegressedCondition(
  status: RecordingStatus,
  about: { workload: string; generation: number },
  comparison: WatchComparison,
  now: Date,
): RecordingStatus {
  const { workload, generation } = about;
  const regressed = comparison.verdict === 'regressed';
  const message = regressed
    ? `${workload} version ${comparison.to}: ${changeList(comparison.changes, 'regressed')} (compare: ${comparison.links.ui})`
    : `${workload} version ${comparison.to} compared with ${comparison.from}: ${comparison.verdict}`;
  const reason = {
    regressed: 'FunctionsMoreExpensive',
    improved: 'Improved',
    unchanged: 'NoSignificantChange',
    'not-comparable': 'NotComparable',
  }[comparison.verdict];
  return {
    ...status,
    conditions: setCondition(
      status.conditions,
      { type: WATCH_CONDITIONS.regressed, status: regressed ? 'True' : 'False', reason, message },
      now,
      generation,
    ),
  };
}
