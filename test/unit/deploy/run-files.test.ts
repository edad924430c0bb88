// test/harness/run-files.ts, the runner of every phase of test/run.sh, on test files made to pass, fail once,
// fail always and hang (test/fixtures/run-files/): a flaky file leaves the phase green and is listed, a file that
// fails twice fails it, and a hang is stopped at its limit with its name and its last output. The timing table
// then counts what the user would: the tests that passed and failed, and the flaky.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../../harness/processes.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

const FIXTURES = 'test/fixtures/run-files';

interface PhaseRun {
  code: number;
  stdout: string;
  results: string;
}

/** Whether a process still runs: there, and not a zombie (this machine's PID 1 may reap orphans late). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Whether the process is gone within a few seconds (a signal is delivered, not awaited). */
async function ends(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && running(pid); i++) await sleep(100);
  return !running(pid);
}

async function scratch(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'furnace-run-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function runPhase(
  dir: string,
  files: string[],
  env: Record<string, string> = {},
  mode: string[] = [],
): Promise<PhaseRun> {
  const options = {
    cwd: PROJECT_ROOT,
    env: { ...process.env, FURNACE_TEST_RESULTS: dir, FURNACE_FIXTURE_DIR: dir, ...env },
  };
  const script = 'test/harness/run-files.ts';
  const phase = await run(
    process.execPath,
    ['--import', 'tsx', script, 'fixtures', '1', ...mode, ...files],
    options,
  ).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
  return { ...phase, results: await readFile(join(dir, 'timings.jsonl'), 'utf8') };
}

async function timingTable(dir: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/harness/timing-table.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, FURNACE_TEST_RESULTS: dir },
  });
  return stdout;
}

test('a file that fails once and then passes alone leaves the phase green and is listed as flaky', async (t) => {
  const dir = await scratch(t);
  const flaky = `${FIXTURES}/fails-once.fixture.ts`;
  const phase = await runPhase(dir, [flaky, `${FIXTURES}/passes.fixture.ts`]);
  assert.equal(phase.code, 0, phase.stdout);
  assert.match(
    phase.stdout,
    /--- flaky: test\/fixtures\/run-files\/fails-once\.fixture\.ts failed, then passed alone/,
  );
  assert.match(phase.stdout, /the first run of this file fails/, 'the first failure is printed');
  assert.equal(await readFile(join(dir, 'flaky.txt'), 'utf8'), `${flaky}\n`);
  const table = await timingTable(dir);
  assert.match(
    table,
    /--- flaky: failed once, then passed alone[^\n]*\n {2}test\/fixtures\/run-files\/fails-once/,
  );
  assert.match(table, /^tests: 2 passed, 0 failed$/m);
  const timings = JSON.parse(await readFile(join(dir, 'timings.json'), 'utf8')) as { flaky: string[] };
  assert.deepEqual(timings.flaky, [flaky]);
});

test('beside another queue, a failed file runs again only once that queue is done (FURNACE_TEST_RERUN_AFTER)', async (t) => {
  const dir = await scratch(t);
  const gate = join(dir, 'foreground-queue.done');
  const mark = join(dir, 'fails-once.mark');
  const phase = runPhase(dir, [`${FIXTURES}/fails-once.fixture.ts`], { FURNACE_TEST_RERUN_AFTER: gate });
  try {
    // The first try fails and leaves its mark; the second waits for the gate however long that takes.
    while (!existsSync(mark)) await sleep(100);
    await sleep(1500);
    assert.deepEqual(
      readdirSync(join(dir, 'logs')),
      ['fixtures_run-files_fails-once.fixture.ts.log'],
      'no second try before the gate',
    );
  } finally {
    await writeFile(gate, ''); // a failed assertion must not leave the phase waiting
  }
  const done = await phase;
  assert.equal(done.code, 0, done.stdout);
  assert.match(
    done.stdout,
    /--- to run again once the files beside are done \([^)]+\): test\/fixtures\/run-files\/fails-once/,
  );
  assert.match(done.stdout, /fails-once\.fixture\.ts \(run again, alone\): passed/);
});

test('a file that fails twice fails the phase, and the table ends with its failure and the count', async (t) => {
  const dir = await scratch(t);
  const phase = await runPhase(dir, [`${FIXTURES}/always-fails.fixture.ts`, `${FIXTURES}/passes.fixture.ts`]);
  assert.equal(phase.code, 1);
  assert.match(phase.stdout, /always-fails\.fixture\.ts \(run again, alone\): FAILED/);
  assert.match(phase.stdout, /--- phase fixtures: 2 files in \d+ s; 1 failed, 0 flaky/);
  const table = await timingTable(dir);
  assert.match(table, /--- failed twice: test\/fixtures\/run-files\/always-fails\.fixture\.ts/);
  assert.match(table, /the sum is wrong on every run/);
  // Each file's seconds, and how busy the cores were while it ran (a file that mostly waits shows a low one).
  assert.match(table, /^ +\d+ s +cpu \d+ % +test\/fixtures\/run-files\/passes\.fixture\.ts$/m);
  assert.match(table, /^tests: 2 passed, 1 failed$/m);
});

test('a file that hangs is stopped at its limit with its name and last output, and what it started with it', async (t) => {
  const dir = await scratch(t);
  const phase = await runPhase(dir, [`${FIXTURES}/hangs.fixture.ts`], {
    FURNACE_TEST_FILE_LIMIT_SECONDS: '3',
  });
  assert.equal(phase.code, 1);
  assert.match(phase.stdout, /✖ test\/fixtures\/run-files\/hangs\.fixture\.ts ran past its limit of 3 s/);
  const lastOutput =
    /--- the last output of test\/fixtures\/run-files\/hangs\.fixture\.ts:\n[^]*?hangs: waiting/;
  assert.match(phase.stdout, lastOutput);
  const children = new Set(
    [...phase.stdout.matchAll(/waiting forever beside child (\d+)/g)].map((m) => Number(m[1])),
  );
  assert.equal(children.size, 2, 'run twice: once, then alone');
  for (const pid of children)
    assert.equal(await ends(pid), true, `the hanging file's child ${pid} was stopped`);
  const record = JSON.parse(phase.results) as {
    results: { status: string; attempts: { timedOut: boolean }[] }[];
  };
  assert.equal(record.results[0]?.status, 'failed');
  assert.deepEqual(
    record.results[0]?.attempts.map((attempt) => attempt.timedOut),
    [true, true],
  );
});

test('files run in one shared process: one that fails there passes alone and is flaky', async (t) => {
  const dir = await scratch(t);
  const flaky = `${FIXTURES}/fails-once.fixture.ts`;
  const phase = await runPhase(dir, [`${FIXTURES}/passes.fixture.ts`, flaky], {}, ['--shared']);
  assert.equal(phase.code, 0, phase.stdout);
  assert.match(phase.stdout, /◀ the fixtures process 1 of 1 \(2 files\): exit 1/);
  assert.match(phase.stdout, /fails-once\.fixture\.ts \(run again, alone\): passed/);
  assert.doesNotMatch(
    phase.stdout,
    /passes\.fixture\.ts \(run again/,
    'a file that passed there is not run again',
  );
  assert.equal(await readFile(join(dir, 'flaky.txt'), 'utf8'), `${flaky}\n`);
  assert.match(await timingTable(dir), /^tests: 2 passed, 0 failed$/m);
});

test('a shared process that hangs is stopped; the hanging file fails, the files it held up run on their own', async (t) => {
  const dir = await scratch(t);
  const files = [`${FIXTURES}/hangs.fixture.ts`, `${FIXTURES}/passes.fixture.ts`];
  const phase = await runPhase(dir, files, { FURNACE_TEST_FILE_LIMIT_SECONDS: '4' }, ['--shared']);
  assert.equal(phase.code, 1);
  assert.match(phase.stdout, /✖ the fixtures process 1 of 1 \(2 files\) ran past its limit of 4 s/);
  const record = JSON.parse(phase.results) as {
    results: { file: string; status: string; attempts: unknown[] }[];
  };
  const statuses = record.results.map(({ file, status, attempts }) => [file, status, attempts.length]);
  assert.deepEqual(statuses, [
    [files[0], 'failed', 2],
    [files[1], 'passed', 1],
  ]);
});
