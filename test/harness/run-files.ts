// Runs one phase of test/run.sh: its test files, N node:test processes at a time.
//
//   node --import tsx test/harness/run-files.ts PHASE N FILE...            a process per file, N at a time
//   node --import tsx test/harness/run-files.ts PHASE N --shared FILE...   the files in N processes that each
//                                                                          run their share in one (unit, app)
//
// - A file that runs past its limit (test/harness/test-budgets.ts) is stopped, its process group with it, and
//   its last output printed under its name: a hang ends in minutes and names itself.
// - A file that fails is run once more, alone in a process of its own, when the phase's other files are done
//   (its cluster is still up), and in a queue run beside another, once that one's files are done too
//   (FURNACE_TEST_RERUN_AFTER). Passing then, it is flaky: the phase passes, the file is listed in
//   test-results/flaky.txt and its first failure kept in test-results/flaky/ (the convention of Playwright's CI
//   retries). Failing twice fails. A file that a shared process did not finish is run again the same way.
// - Output goes to test-results/logs/; one process at a time it is also printed as it comes, more at a time it
//   is printed whole when the process ends, so that files never interleave.
// - The phase's files, seconds, results and how busy the cores were are appended to test-results/timings.jsonl,
//   which the timing table (test/harness/timing-table.ts) reads at the end of the run.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import {
  attemptPassed,
  attemptsFromEvents,
  failureExcerpt,
  interruptedFiles,
  logName,
  readCounts,
  statusOf,
  type Attempt,
  type FileResult,
  type TestEventSummary,
} from './file-results.ts';
import { runTestProcess, stopAll } from './file-process.ts';
import { PROJECT_ROOT } from './project-root.ts';
import { fileLimitSeconds, sharedProcessLimitSeconds } from './test-budgets.ts';

// FURNACE_TEST_RESULTS moves it (the runner's own tests use a directory of theirs).
const RESULTS = process.env.FURNACE_TEST_RESULTS ?? join(PROJECT_ROOT, 'test-results');

interface Run {
  attempt: Attempt;
  output: string;
}

/** The machine's busy and total CPU ticks so far (/proc/stat's first line). */
function cpuTicks(): { busy: number; total: number } {
  const first = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const fields = first.trim().split(/\s+/).slice(1, 9).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** How busy the cores were between two readings of cpuTicks, 0 to 1, to two decimals. */
function busyFraction(from: { busy: number; total: number }, to: { busy: number; total: number }): number {
  return Math.round(((to.busy - from.busy) / Math.max(1, to.total - from.total)) * 100) / 100;
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/** Prints a file's end: its output when it was not printed live, its time and its result. */
function report(file: string, run: Run, live: boolean, label: string): void {
  const { attempt } = run;
  const result = attemptPassed(attempt) ? 'passed' : attempt.timedOut ? 'STOPPED AT ITS LIMIT' : 'FAILED';
  if (!live) process.stdout.write(`▶ ${file}${label}\n${run.output.trimEnd()}\n`);
  if (attempt.timedOut)
    process.stdout.write(`--- the last output of ${file}:\n${lastLines(run.output, 40)}\n`);
  process.stdout.write(`◀ ${file}${label}: ${result} in ${attempt.seconds.toFixed(1)} s\n`);
}

/**
 * Each file in a process of its own, `concurrency` at a time. The file runs in the node:test process itself
 * (--test-isolation=none): by default that process would only start another for the file and relay its
 * results, a second Node start (0.2 CPU-seconds and half a second of wall time) for each of 220 files.
 */
async function runEach(files: string[], concurrency: number, label: string): Promise<Map<string, Run>> {
  const live = concurrency === 1;
  const runs = new Map<string, Run>();
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      if (live) process.stdout.write(`▶ ${file}${label}\n`);
      const ticks = cpuTicks();
      const end = await runTestProcess(
        ['--test', '--test-isolation=none', '--test-reporter=spec', file],
        fileLimitSeconds(file),
        live,
        file,
      );
      const run = {
        attempt: {
          seconds: end.seconds,
          code: end.code,
          timedOut: end.timedOut,
          counts: readCounts(end.output),
          cpu: busyFraction(ticks, cpuTicks()),
        },
        output: end.output,
      };
      writeFileSync(join(RESULTS, 'logs', logName(file, label ? '.rerun' : '')), run.output);
      report(file, run, live, label);
      runs.set(file, run);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return runs;
}

/**
 * The files in `processes` node:test processes that each run their share in one (--test-isolation=none): most
 * of a small file's time is the process's start and its imports, which one process pays once. A file these
 * runs did not finish gets no run here, and is run again alone like a failed one.
 */
async function runShared(files: string[], processes: number, phase: string): Promise<Map<string, Run>> {
  const groups = Array.from({ length: Math.min(processes, files.length) }, (_, i) =>
    files.filter((__, j) => j % processes === i),
  );
  const runs = new Map<string, Run>();
  await Promise.all(
    groups.map(async (group, i) => {
      const events = join(RESULTS, 'logs', `${phase}.shared-${i + 1}.events.jsonl`);
      const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout'];
      reporters.push(
        '--test-reporter=./test/harness/test-events-reporter.ts',
        `--test-reporter-destination=${events}`,
      );
      const what = `the ${phase} process ${i + 1} of ${groups.length} (${group.length} files)`;
      const args = ['--test', '--test-isolation=none', ...reporters, ...group];
      const end = await runTestProcess(args, sharedProcessLimitSeconds(), groups.length === 1, what);
      writeFileSync(join(RESULTS, 'logs', `${phase}.shared-${i + 1}.log`), end.output);
      if (groups.length > 1) process.stdout.write(`${end.output.trimEnd()}\n`);
      if (end.timedOut)
        process.stdout.write(`--- the last output of ${what}:\n${lastLines(end.output, 40)}\n`);
      const lines = readFileSync(events, 'utf8').split('\n').filter(Boolean);
      const attempts = attemptsFromEvents(
        lines.map((line) => JSON.parse(line) as TestEventSummary),
        group.map((file) => resolve(PROJECT_ROOT, file)),
        end.timedOut,
      );
      const interrupted = new Set(interruptedFiles(end.output).map((file) => resolve(PROJECT_ROOT, file)));
      for (const file of group) {
        const stopped = interrupted.has(resolve(PROJECT_ROOT, file));
        const counts = { tests: 0, pass: 0, fail: 1, cancelled: 0, skipped: 0, todo: 0 };
        const attempt = stopped
          ? { seconds: end.seconds, code: end.code, timedOut: end.timedOut, counts }
          : attempts.get(resolve(PROJECT_ROOT, file));
        if (attempt) runs.set(file, { attempt, output: end.output });
      }
      // A process that failed with every test of its files passed (an error outside any test, after them): no
      // file is to blame, so each is tried again on its own.
      const blamed = group.some((file) => runs.get(file)?.attempt.code !== 0);
      if (end.code !== 0 && !blamed) for (const file of group) runs.delete(file);
      const notRun = group.filter((file) => !runs.has(file));
      process.stdout.write(
        `◀ ${what}: exit ${end.code ?? 'by a signal'} in ${end.seconds.toFixed(1)} s` +
          (notRun.length > 0 ? `; to run on their own: ${notRun.join(', ')}\n` : '\n'),
      );
    }),
  );
  return runs;
}

/**
 * Waits, when FURNACE_TEST_RERUN_AFTER names a file, until that file exists: test/run.sh makes it when the
 * queue in the foreground has run its files once, so that a file of a queue beside it that failed (often
 * for the load of both) runs again without the other queue's files beside it.
 */
async function rerunGate(files: string[]): Promise<void> {
  const gate = process.env.FURNACE_TEST_RERUN_AFTER;
  if (gate === undefined || existsSync(gate)) return;
  process.stdout.write(`--- to run again once the files beside are done (${gate}): ${files.join(', ')}\n`);
  while (!existsSync(gate)) await sleep(1000);
}

function writeFlaky(flaky: FileResult[], first: Map<string, Run>): void {
  if (flaky.length === 0) return;
  mkdirSync(join(RESULTS, 'flaky'), { recursive: true });
  for (const { file } of flaky) {
    const output = first.get(file)?.output ?? '';
    writeFileSync(join(RESULTS, 'flaky', logName(file)), output);
    appendFileSync(join(RESULTS, 'flaky.txt'), `${file}\n`);
    process.stdout.write(`--- flaky: ${file} failed, then passed alone; its first failure:\n`);
    process.stdout.write(`${failureExcerpt(output)}\n`);
  }
}

async function main(): Promise<number> {
  const [phase, concurrencyText, ...rest] = process.argv.slice(2);
  const shared = rest[0] === '--shared';
  const files = shared ? rest.slice(1) : rest;
  const concurrency = Number(concurrencyText);
  if (!phase || !Number.isInteger(concurrency) || concurrency < 1 || files.length === 0) {
    process.stderr.write('usage: run-files.ts PHASE CONCURRENCY [--shared] FILE...\n');
    return 2;
  }
  mkdirSync(join(RESULTS, 'logs'), { recursive: true });
  const started = Date.now();
  const ticks = cpuTicks();
  const first = shared ? await runShared(files, concurrency, phase) : await runEach(files, concurrency, '');
  const again = files.filter((file) => {
    const run = first.get(file);
    return run === undefined || !attemptPassed(run.attempt);
  });
  // Alone and at the end: a file that failed beside others, or early, gets the machine to itself once. A queue
  // run beside another (test/run.sh) waits for that one's first tries to end first.
  if (again.length > 0) await rerunGate(again);
  const second = again.length > 0 ? await runEach(again, 1, ' (run again, alone)') : new Map<string, Run>();
  const results: FileResult[] = files.map((file) => {
    const attempts = [first.get(file), second.get(file)].flatMap((run) => (run ? [run.attempt] : []));
    const seconds = attempts.reduce((sum, attempt) => sum + attempt.seconds, 0);
    return { file, seconds, status: statusOf(attempts), attempts };
  });
  writeFlaky(
    results.filter((result) => result.status === 'flaky'),
    first,
  );
  const seconds = (Date.now() - started) / 1000;
  // How busy the machine's cores were, whoever kept them busy: near 1, more at once cannot help.
  const cpu = busyFraction(ticks, cpuTicks());
  const record = { kind: 'files', phase, started: Math.floor(started / 1000), seconds, cpu, results };
  appendFileSync(join(RESULTS, 'timings.jsonl'), `${JSON.stringify(record)}\n`);
  const failed = results.filter((result) => result.status === 'failed').length;
  const flaky = results.filter((result) => result.status === 'flaky').length;
  process.stdout.write(
    `--- phase ${phase}: ${files.length} files in ${seconds.toFixed(0)} s; ${failed} failed, ${flaky} flaky\n`,
  );
  return failed > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopAll();
    process.exit(130);
  });
}
process.exitCode = await main();
