// The table that ends every run of test/run.sh: where the time went, each tier against its budget, the slowest
// files, the flaky and the failed, and the closing count. It reads test-results/timings.jsonl, which the run's
// phases append to (test/timed.sh, test/background-builds.sh's joins, test/harness/run-files.ts), and writes the
// same figures, gathered, to test-results/timings.json.
//
//   node --import tsx test/harness/timing-table.ts [SLOWEST=15]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failureExcerpt, finalCounts, logName, type FileResult } from './file-results.ts';
import { PROJECT_ROOT } from './project-root.ts';
import { TIER_BUDGET_SECONDS, TIERS, tierOf, type Tier } from './test-budgets.ts';

interface PhaseRecord {
  kind: 'phase';
  phase: string;
  started: number;
  seconds: number;
  code: number;
  /** How busy the machine's cores were during it, 0 to 1. */
  cpu?: number;
}
interface BuildRecord {
  kind: 'build';
  step: string;
  started: number;
  seconds: number;
  waited: number;
  by: string;
}
interface FilesRecord {
  kind: 'files';
  phase: string;
  started: number;
  seconds: number;
  cpu?: number;
  results: FileResult[];
}
type TimingRecord = PhaseRecord | BuildRecord | FilesRecord;

// FURNACE_TEST_RESULTS moves it (the runner's own tests use a directory of theirs).
const RESULTS = process.env.FURNACE_TEST_RESULTS ?? join(PROJECT_ROOT, 'test-results');

function readRecords(): TimingRecord[] {
  let text = '';
  try {
    text = readFileSync(join(RESULTS, 'timings.jsonl'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TimingRecord);
}

const seconds = (value: number): string => `${Math.round(value)} s`.padStart(8);

export interface TimingSummary {
  phases: { name: string; seconds: number; cpu?: number; note: string }[];
  tiers: { tier: Tier; seconds: number; budget: number; files: number }[];
  /** cpu: how busy the cores were during the file's first try (absent for a file of a shared process). */
  slowest: { file: string; seconds: number; status: string; cpu?: number }[];
  flaky: string[];
  failed: string[];
  tests: { passed: number; failed: number; skipped: number };
  wallSeconds: number;
}

/** The run's figures from its records. Pure. */
export function summarize(records: TimingRecord[], slowestCount: number): TimingSummary {
  const results = records.flatMap((record) => (record.kind === 'files' ? record.results : []));
  const phases = records.flatMap((record) => {
    if (record.kind === 'phase')
      return [{ name: record.phase, seconds: record.seconds, cpu: record.cpu, note: '' }];
    if (record.kind === 'files') {
      const files = record.results.length;
      const note = `${files} file${files === 1 ? '' : 's'}`;
      return [{ name: record.phase, seconds: record.seconds, cpu: record.cpu, note }];
    }
    const note = `built in the background; ${record.by} waited ${Math.round(record.waited)} s for it`;
    return [{ name: `build ${record.step}`, seconds: record.seconds, note }];
  });
  const tiers = TIERS.map((tier) => {
    const own = results.filter((result) => tierOf(result.file) === tier);
    return {
      tier,
      seconds: own.reduce((sum, result) => sum + result.seconds, 0),
      budget: TIER_BUDGET_SECONDS[tier],
      files: own.length,
    };
  }).filter((row) => row.files > 0);
  const slowest = [...results]
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, slowestCount)
    .map(({ file, seconds: s, status, attempts }) => ({ file, seconds: s, status, cpu: attempts[0]?.cpu }));
  const tests = { passed: 0, failed: 0, skipped: 0 };
  for (const result of results) {
    const counts = finalCounts(result);
    tests.passed += counts.passed;
    tests.failed += counts.failed;
    tests.skipped += counts.skipped;
  }
  const ends = records.map((record) => record.started + record.seconds);
  const starts = records.map((record) => record.started);
  return {
    phases,
    tiers,
    slowest,
    flaky: results.filter((result) => result.status === 'flaky').map((result) => result.file),
    failed: results.filter((result) => result.status === 'failed').map((result) => result.file),
    tests,
    wallSeconds: records.length > 0 ? Math.max(...ends) - Math.min(...starts) : 0,
  };
}

/** The table as lines of text. Pure. */
export function renderTable(summary: TimingSummary): string[] {
  const lines = ['--- where the time went (test-results/timings.json; cpu: how busy the cores were)'];
  for (const phase of summary.phases) {
    const cpu = phase.cpu === undefined ? '' : `cpu ${Math.round(phase.cpu * 100)} %`;
    lines.push(
      `  ${phase.name.padEnd(40)}${seconds(phase.seconds)}  ${cpu.padStart(10)}  ${phase.note}`.trimEnd(),
    );
  }
  lines.push(`  ${'the whole run, start to end'.padEnd(40)}${seconds(summary.wallSeconds)}`);
  lines.push('--- seconds of files per tier, against its budget (test/harness/test-budgets.ts)');
  for (const row of summary.tiers) {
    lines.push(
      `  ${row.tier.padEnd(10)}${seconds(row.seconds)} of ${seconds(row.budget).trim()}  (${row.files} files)`,
    );
  }
  for (const row of summary.tiers.filter((r) => r.seconds > r.budget)) {
    lines.push(
      `warning: the ${row.tier} tier took ${Math.round(row.seconds)} s, over its budget of ${row.budget} s ` +
        '(test/harness/test-budgets.ts)',
    );
  }
  lines.push(`--- the ${summary.slowest.length} slowest files (cpu: how busy the cores were during each)`);
  for (const row of summary.slowest) {
    const mark = row.status === 'passed' ? '' : `  ${row.status.toUpperCase()}`;
    const cpu = row.cpu === undefined ? '' : `cpu ${Math.round(row.cpu * 100)} %`;
    lines.push(`  ${seconds(row.seconds)}  ${cpu.padStart(10)}  ${row.file}${mark}`);
  }
  if (summary.flaky.length > 0) {
    lines.push(
      '--- flaky: failed once, then passed alone (test-results/flaky.txt; first failures in test-results/flaky/)',
    );
    for (const file of summary.flaky) lines.push(`  ${file}`);
  }
  return lines;
}

function main(): void {
  const slowestCount = Number(process.argv[2] ?? 15);
  const records = readRecords();
  const summary = summarize(records, slowestCount);
  writeFileSync(join(RESULTS, 'timings.json'), `${JSON.stringify({ ...summary, records }, null, 2)}\n`);
  const out = renderTable(summary);
  // Last, where a log cut short still shows them: each file that failed twice, with why.
  for (const file of summary.failed) {
    let log = '(no log)';
    try {
      log = readFileSync(join(RESULTS, 'logs', logName(file, '.rerun')), 'utf8');
    } catch {
      // reported as no log
    }
    out.push(
      `--- failed twice: ${file} (test-results/logs/${logName(file)}, and .rerun)`,
      failureExcerpt(log, 60),
    );
  }
  const skipped = summary.tests.skipped > 0 ? `, ${summary.tests.skipped} skipped` : '';
  out.push(`tests: ${summary.tests.passed} passed, ${summary.tests.failed} failed${skipped}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

if (import.meta.filename === process.argv[1]) main();
