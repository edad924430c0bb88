// What one run of one test file said, read from its spec reporter's output, and what a file's attempts add up
// to. Pure: test/harness/run-files.ts does the running, test/harness/timing-table.ts the reporting.

/** The counts node:test's spec reporter prints at the end of a file's run. */
export interface TestCounts {
  tests: number;
  pass: number;
  fail: number;
  cancelled: number;
  skipped: number;
  todo: number;
}

export interface Attempt {
  seconds: number;
  /** The process's exit code; null when a signal ended it. */
  code: number | null;
  /** True when the runner stopped it at the file's limit. */
  timedOut: boolean;
  counts: TestCounts;
  /**
   * How busy the machine's cores were while it ran, 0 to 1: the file's own use (its programs, servers and
   * clusters' work for it) when files run one at a time. Absent for a file of a shared process.
   */
  cpu?: number;
}

/** passed: first try; flaky: failed, then passed alone; failed: failed twice. */
export type FileStatus = 'passed' | 'flaky' | 'failed';

export interface FileResult {
  file: string;
  /** Seconds of every attempt together. */
  seconds: number;
  status: FileStatus;
  attempts: Attempt[];
}

const COUNT_LINE = /^ℹ (tests|pass|fail|cancelled|skipped|todo) (\d+)$/;

/** The summary counts of a spec reporter's output; zeros for what it did not print (a file stopped early). */
export function readCounts(output: string): TestCounts {
  const counts: TestCounts = { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
  for (const line of output.split('\n')) {
    const match = COUNT_LINE.exec(line.trim());
    if (match) counts[match[1] as keyof TestCounts] = Number(match[2]);
  }
  return counts;
}

/** Whether an attempt passed: exit code 0, and nothing failed or was cancelled. */
export function attemptPassed(attempt: Attempt): boolean {
  return (
    attempt.code === 0 && !attempt.timedOut && attempt.counts.fail === 0 && attempt.counts.cancelled === 0
  );
}

/** A file's status from its attempts (one, or a failure and a rerun). */
export function statusOf(attempts: Attempt[]): FileStatus {
  const last = attempts.at(-1);
  if (last === undefined || !attemptPassed(last)) return 'failed';
  return attempts.length === 1 ? 'passed' : 'flaky';
}

/**
 * The tests a file counts as passed and failed for the run's closing line: its last attempt's, and a file that
 * failed without a summary (stopped, crashed) counts as one failed test.
 */
export function finalCounts(result: FileResult): { passed: number; failed: number; skipped: number } {
  const last = result.attempts.at(-1);
  if (last === undefined) return { passed: 0, failed: 1, skipped: 0 };
  const failed = last.counts.fail + last.counts.cancelled;
  return {
    passed: last.counts.pass,
    failed: result.status === 'failed' ? Math.max(failed, 1) : failed,
    skipped: last.counts.skipped + last.counts.todo,
  };
}

/**
 * The part of a file's output that says why it failed: the spec reporter's "failing tests" section when it
 * printed one, else the last lines (a file stopped at its limit, or one that crashed before its summary).
 */
export function failureExcerpt(output: string, maxLines = 80): string {
  const lines = output.trimEnd().split('\n');
  const start = lines.findIndex((line) => line.includes('✖ failing tests:'));
  const picked = start >= 0 ? lines.slice(start) : lines.slice(-40);
  if (picked.length <= maxLines) return picked.join('\n');
  return [...picked.slice(0, maxLines), `… ${picked.length - maxLines} more lines in the file's log`].join(
    '\n',
  );
}

/** The name of a file's log under test-results/logs/ (its path under test/, flattened). */
export function logName(file: string, suffix = ''): string {
  return `${file.replace(/^test\//, '').replace(/[^A-Za-z0-9.-]+/g, '_')}${suffix}.log`;
}

/** What test/harness/test-events-reporter.ts writes per test, as far as a file's attempt needs it. */
export interface TestEventSummary {
  event: 'start' | 'pass' | 'fail';
  file: string;
  nesting: number;
  suite: boolean;
  ms: number;
  skip: boolean;
  todo: boolean;
  cancelled: boolean;
}

/**
 * Each file's attempt in a process that ran several files at once (--test-isolation=none), from the test
 * events it reported; undefined for a file that never started there, which is then run on its own as if for
 * the first time. A file still running when the process ended (its limit, a crash) failed that try. A file's
 * seconds are its top-level tests' (its imports are not timed there). `files` are absolute paths, as the events
 * name them; `timedOut` says whether the process was stopped at its limit.
 */
export function attemptsFromEvents(
  events: TestEventSummary[],
  files: string[],
  timedOut: boolean,
): Map<string, Attempt | undefined> {
  const attempts = new Map<string, Attempt | undefined>();
  for (const file of files) {
    const own = events.filter((event) => event.file === file);
    const ended = own.filter((event) => event.event !== 'start');
    const tests = ended.filter((event) => !event.suite);
    const failed = ended.filter((event) => event.event === 'fail');
    const unfinished = ended.length !== own.length - ended.length;
    const count = (keep: (event: TestEventSummary) => boolean): number => tests.filter(keep).length;
    const counts: TestCounts = {
      tests: tests.length,
      pass: count((e) => e.event === 'pass' && !e.skip && !e.todo),
      fail: Math.max(
        count((e) => e.event === 'fail' && !e.cancelled),
        failed.length > 0 || unfinished ? 1 : 0,
      ),
      cancelled: count((e) => e.event === 'fail' && e.cancelled),
      skipped: count((e) => e.skip),
      todo: count((e) => e.todo),
    };
    const ms = ended.filter((event) => event.nesting === 0).reduce((sum, event) => sum + event.ms, 0);
    const attempt: Attempt = {
      seconds: ms / 1000,
      code: failed.length > 0 || unfinished ? 1 : 0,
      timedOut: unfinished && timedOut,
      counts,
    };
    attempts.set(file, own.length === 0 ? undefined : attempt);
  }
  return attempts;
}

/**
 * The files whose tests node:test named as still running when it was stopped ("Interrupted while running:",
 * then a line `⚠ NAME (FILE:LINE:COLUMN)` each), as it printed them. A stopped process's reporter files may
 * lose their last events, its report on stdout does not.
 */
export function interruptedFiles(output: string): string[] {
  const start = output.lastIndexOf('Interrupted while running:');
  if (start < 0) return [];
  const files = output
    .slice(start)
    .split('\n')
    .map((line) => /^\s*⚠ .* \((.+?):\d+:\d+\)$/.exec(line)?.[1])
    .filter((file) => file !== undefined);
  return [...new Set(files)];
}
