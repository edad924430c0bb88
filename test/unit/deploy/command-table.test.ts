// test/commands.tsv against the test code: every command that a test, the harness or a benchmark starts by
// a name it spells out is in the table, every row is still named somewhere, nothing imports
// node:child_process around the harness's checked functions, and the table itself is well formed (a
// golden-file check, as the injector's goldens fail on a file no case uses).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import {
  commandSites,
  importsChildProcess,
  namedCommands,
  parseSource,
} from '../../harness/command-sites.ts';
import { allowedBy, commandTable } from '../../harness/commands.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';
import { shellCommands } from '../../harness/shell-commands.ts';

/**
 * May import node:child_process: the harness's checked stand-ins themselves, and the test runner's start of
 * each test file (process.execPath only, which the table always allows).
 */
const CHILD_PROCESS_IMPORTERS = ['test/harness/child-processes.ts'];

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(join(PROJECT_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith(suffix))
    .map((path) => join(dir, path))
    .sort();
}

const read = (path: string): string => readFileSync(join(PROJECT_ROOT, path), 'utf8');
/** Test code: test files, the harness, benchmarks; not the lint fixtures, which are never run. */
const SOURCES = filesUnder('test', '.ts').filter((path) => !path.startsWith('test/fixtures/'));
const SCRIPTS = filesUnder('test/harness', '.sh');
const rows = commandTable();
/** The tests of the table's own machinery: their example commands must not keep a row alive. */
const EXAMPLES = ['command-table', 'command-check', 'shell-commands'].map(
  (name) => `test/unit/deploy/${name}.test.ts`,
);

interface Found {
  at: string;
  command: string;
  started: boolean;
}

const TEXTS = new Map(SOURCES.map((path) => [path, read(path)]));
const parsed = new Map<string, ReturnType<typeof parseSource>>();

function sourceOf(path: string): ReturnType<typeof parseSource> {
  let source = parsed.get(path);
  if (!source) parsed.set(path, (source = parseSource(path, TEXTS.get(path) ?? '')));
  return source;
}

/**
 * The files that can start a process: the start functions come from node:child_process or the harness's
 * process modules, so a file that names neither is not parsed for starts (parsing all of test/ takes seconds).
 */
const STARTERS = SOURCES.filter((path) => /child[-_]process|processes\.ts/.test(TEXTS.get(path) ?? ''));

let found: Found[] | undefined;

function foundInSources(): Found[] {
  found ??= STARTERS.flatMap((path) =>
    commandSites(sourceOf(path)).map((site) => ({ ...site, at: `${path}:${site.line}` })),
  );
  return found;
}

/** Whether some test code (the examples aside) has a string that names the command. */
function namedInStrings(command: string): boolean {
  const name = basename(command);
  return SOURCES.some((path) => {
    if (EXAMPLES.includes(path) || !(TEXTS.get(path) ?? '').includes(name)) return false;
    const names = namedCommands(sourceOf(path));
    return names.has(command) || names.has(name);
  });
}

function foundInScripts(): Found[] {
  return SCRIPTS.flatMap((path) =>
    shellCommands(read(path)).map((c) => ({ at: `${path}:${c.line}`, command: c.command, started: true })),
  );
}

const allFound = (): Found[] => [...foundInSources(), ...foundInScripts()];

describe('the command table (test/commands.tsv)', () => {
  it('has one row per command, a package for each Debian row and an existing script for each built one', () => {
    const seen = new Map<string, number>();
    const problems: string[] = [];
    for (const row of rows) {
      const earlier = seen.get(row.command);
      if (earlier !== undefined) problems.push(`line ${row.line}: ${row.command} again (line ${earlier})`);
      seen.set(row.command, row.line);
      if (row.from === 'debian' && !/^[a-z0-9][a-z0-9+.-]+$/.test(row.package)) {
        problems.push(`line ${row.line}: ${row.command} names no Debian package (${row.package})`);
      }
      const script = row.package.split(' ')[0] ?? '';
      if (row.from === 'build' && !(script.endsWith('.sh') && existsSync(join(PROJECT_ROOT, script)))) {
        problems.push(`line ${row.line}: ${row.command} is built by ${script}, which does not exist`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('has every command that test code starts by name, in TypeScript and in the harness scripts', () => {
    const missing = allFound()
      .filter((found) => found.started && allowedBy(found.command, rows) === undefined)
      .map((found) => `${found.at}: ${found.command}`);
    assert.deepEqual(
      missing,
      [],
      'add these to test/commands.tsv with their Debian package (or how they are built)',
    );
  });

  it('has no row that test code no longer names', () => {
    const started = new Set(allFound().map((f) => f.command));
    const stale = rows
      .filter((row) => !started.has(row.command) && !started.has(basename(row.command)))
      .filter((row) => !namedInStrings(row.command))
      .map((row) => `line ${row.line}: ${row.command}`);
    assert.deepEqual(
      stale,
      [],
      'no test, harness or benchmark names these: remove them from test/commands.tsv',
    );
  });

  it('is the only way test code starts a process: nothing else imports node:child_process', () => {
    const bypasses = STARTERS.filter(
      (path) => !CHILD_PROCESS_IMPORTERS.includes(path) && importsChildProcess(sourceOf(path)),
    );
    assert.deepEqual(
      bypasses,
      [],
      'import spawn, execFile, … from test/harness/child-processes.ts (or use run/startProcess of processes.ts)',
    );
  });

  it('sees a start in each form the checks rely on', () => {
    const sites = (text: string) =>
      commandSites(parseSource('example.ts', text)).map((s) => `${s.command}:${s.started}`);
    const source = [
      "import { spawn } from 'node:child_process';",
      "import { run, startProcess } from '../harness/processes.ts';",
      "const TOOL = 'perf';",
      "function wrapped(command: string) { return new Promise(() => spawn(command, ['x'])); }",
      "wrapped('ctr');",
      "run(TOOL, ['record']);",
      "startProcess(t, 'setpriv', ['--reuid', '65534', 'bpftrace', '-e', 'x']);",
      "startProcess(t, 'sh', ['-c', 'trap \"\" TERM; exec sleep 60']);",
      "run(join(binDir, 'kubectl'), []);",
      'run(process.execPath, []);',
    ].join('\n');
    assert.deepEqual(sites(source), [
      'ctr:true',
      'perf:true',
      'setpriv:true',
      'bpftrace:true',
      'sh:true',
      'sleep:true',
      'kubectl:false',
    ]);
  });
});
