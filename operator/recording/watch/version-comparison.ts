// What the comparisons of a recorded version become where people look: the status entries (with links to the
// UI's comparison and both merged graphs), the ProfileRegressed condition and the Events. A version is
// compared with the version before it and, when the workload has one pinned, with its baseline; one Event
// and the condition name both. Pure; the method that decides which function changed is core/compare/
// (passed in as `CompareVersions`).
import {
  WATCH_CONDITIONS,
  WATCH_EVENT_REASONS,
  WATCH_TOP_CHANGES,
  type ComparisonAgainst,
  type ComparisonVerdict,
  type FunctionChange,
  type WatchComparison,
  type WatchVersion,
} from '../../../core/crd/recording-watch.ts';
import type { FoldedStacks } from '../../../core/stacks/folded.ts';
import { mergedLinks, recordingLinks } from '../links.ts';
import type { RecordingStatus } from '../recording-types.ts';
import { setCondition } from './conditions.ts';
import { EVENT_MESSAGE_CHARS, type WatchEvent } from './plan-watch.ts';

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

/** The status entry of a comparison with the version before. */
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
    against: 'previous',
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

/** The status entry of a comparison with the pinned baseline, `before` as pinned-baseline.ts makes it. */
export function describeBaselineComparison(
  baseline: WatchVersion,
  after: WatchVersion,
  compared: ComparedProfiles,
  now: Date,
): WatchComparison {
  const against: ComparisonAgainst = 'baseline';
  return { ...describeComparison(baseline, after, compared, now), against };
}

function changeList(changes: readonly FunctionChange[], direction: FunctionChange['direction']): string {
  return changes
    .filter((c) => c.direction === direction)
    .map((c) => `${c.name} ${c.before.toFixed(1)}% → ${c.after.toFixed(1)}%`)
    .join(', ');
}

const isBaseline = (c: WatchComparison): boolean => c.against === 'baseline';

/** What one comparison found, in words (the functions each way, or its verdict), and its UI link if any. */
function findings(comparison: WatchComparison): { words: string; link: string } {
  const slower = changeList(comparison.changes, 'regressed');
  const faster = changeList(comparison.changes, 'improved');
  const link = `; compare: ${comparison.links.ui}`;
  if (slower) return { words: `more expensive: ${slower}${faster ? `; less: ${faster}` : ''}`, link };
  if (faster) return { words: `less expensive: ${faster}`, link };
  return { words: comparison.verdict === 'not-comparable' ? 'not comparable' : comparison.verdict, link: '' };
}

/** `words` cut to leave `room` characters with the link, so that a long list never hides the other comparison. */
function clause(prefix: string, { words, link }: { words: string; link: string }, room: number): string {
  const fits = Math.max(0, room - prefix.length - link.length);
  const chars = [...words];
  const cut = chars.length <= fits ? words : `${chars.slice(0, Math.max(0, fits - 1)).join('')}…`;
  return `${prefix}${cut}${link}`;
}

const hasChange = (comparisons: readonly WatchComparison[], direction: FunctionChange['direction']) =>
  comparisons.some((c) => c.changes.some((change) => change.direction === direction));

/**
 * The Event of a version's comparisons (with the version before, then with the pinned baseline): one
 * ProfileRegressed when either found a function more expensive, else one ProfileImproved when either found
 * one less expensive, else none. It names what each comparison found.
 */
export function comparisonEvents(workload: string, comparisons: readonly WatchComparison[]): WatchEvent[] {
  const first = comparisons[0];
  if (!first) return [];
  const head = isBaseline(first)
    ? `${workload} version ${first.to} (self share of all samples): `
    : `${workload} version ${first.from} → ${first.to} (self share of all samples): `;
  const room = Math.floor((EVENT_MESSAGE_CHARS - [...head].length) / comparisons.length);
  const clauses = comparisons.map((c, i) => {
    const prefix = !isBaseline(c) ? '' : `${i === 0 ? '' : '; '}against the baseline ${c.from}: `;
    return clause(prefix, findings(c), room);
  });
  const message = `${head}${clauses.join('')}`;
  if (hasChange(comparisons, 'regressed'))
    return [{ reason: WATCH_EVENT_REASONS.regressed, type: 'Warning', message }];
  if (hasChange(comparisons, 'improved'))
    return [{ reason: WATCH_EVENT_REASONS.improved, type: 'Normal', message }];
  return [];
}

const SEVERITY: readonly ComparisonVerdict[] = ['regressed', 'improved', 'unchanged', 'not-comparable'];

const REASONS: Record<ComparisonVerdict, string> = {
  regressed: 'FunctionsMoreExpensive',
  improved: 'Improved',
  unchanged: 'NoSignificantChange',
  'not-comparable': 'NotComparable',
};

/** The ProfileRegressed condition after a version's comparisons: True when either found a regression. */
export function withRegressedCondition(
  status: RecordingStatus,
  about: { workload: string; generation: number },
  comparisons: readonly WatchComparison[],
  now: Date,
): RecordingStatus {
  const { workload, generation } = about;
  const verdict = SEVERITY.find((v) => comparisons.some((c) => c.verdict === v)) ?? 'unchanged';
  const regressed = verdict === 'regressed';
  const to = comparisons[0]?.to ?? '';
  const parts = comparisons.map((c) => {
    const what = isBaseline(c) ? `the baseline ${c.from}` : c.from;
    return c.verdict === 'regressed'
      ? `against ${what}: ${changeList(c.changes, 'regressed')} (compare: ${c.links.ui})`
      : `compared with ${what}: ${c.verdict}`;
  });
  const message = `${workload} version ${to} ${parts.join('; ')}`;
  return {
    ...status,
    conditions: setCondition(
      status.conditions,
      {
        type: WATCH_CONDITIONS.regressed,
        status: regressed ? 'True' : 'False',
        reason: REASONS[verdict],
        message,
      },
      now,
      generation,
    ),
  };
}
