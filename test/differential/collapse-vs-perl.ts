// `npm run diff:collapse -- PATH/stackcollapse-perf.pl [more.perf-script …]`: runs FlameGraph's
// stackcollapse-perf.pl and `furnace collapse-perf` on the same input with the same options and
// compares their output byte for byte. Inputs: every golden perf script in test/golden/stacks, with
// every option set, plus any files named on the command line (with the most common option sets).
//
// The perl script is not part of this repository (it is CDDL-licensed code of another project), so
// this check runs where a copy is at hand; the golden .folded files it checks are what CI compares
// Furnace against on every run. Exit status 1 when any output differs; known, documented differences
// are listed in KNOWN and reported, not failed.
import { closeSync, existsSync, openSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { spawnSync } from '../harness/child-processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';

const GOLDEN_DIR = join(PROJECT_ROOT, 'test', 'golden', 'stacks');
const CLI = join(PROJECT_ROOT, 'cli', 'bin.js');
const EXTRA_OPTION_SETS = ['', 'pid', 'tid', 'kernel', 'jit', 'all', 'addrs', 'tid+all+addrs'];
const MAX_OUTPUT = 1024 * 1024 * 1024;

/** Inputs where Furnace differs from the perl script on purpose (docs/flamegraph.md says why). */
const KNOWN: Record<string, string> = {
  crlf: 'CRLF input is read as LF; the perl script takes the \\r lines as frames',
};

interface Case {
  input: string;
  options: string[];
  /** The golden file CI compares against, when there is one. */
  golden?: string;
}

function goldenCases(): Case[] {
  const files = readdirSync(GOLDEN_DIR).sort();
  const cases: Case[] = [];
  for (const file of files.filter((f) => f.endsWith('.perf-script'))) {
    const name = file.slice(0, -'.perf-script'.length);
    for (const folded of files.filter((f) => f.startsWith(`${name}.`) && f.endsWith('.folded'))) {
      const variant = folded.slice(name.length + 1, -'.folded'.length);
      const options = variant === '' ? [] : variant.split('+').map((o) => `--${o}`);
      cases.push({ input: join(GOLDEN_DIR, file), options, golden: folded });
    }
  }
  return cases;
}

function extraCases(paths: string[]): Case[] {
  return paths.flatMap((input) =>
    EXTRA_OPTION_SETS.map((set) => ({
      input,
      options: set === '' ? [] : set.split('+').map((o) => `--${o}`),
    })),
  );
}

/** Output of one whole process reading `input` on stdin, as `perf script | …` feeds it. */
function run(command: string, args: string[], input: string): string {
  const stdin = openSync(input, 'r');
  try {
    const result = spawnSync(command, args, { stdio: [stdin, 'pipe', 'pipe'], maxBuffer: MAX_OUTPUT });
    if (result.status !== 0) {
      throw new Error(`${command} ${args.join(' ')} < ${input} failed: ${String(result.stderr)}`);
    }
    return String(result.stdout);
  } finally {
    closeSync(stdin);
  }
}

/** First line where two outputs differ, for the report. */
function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  const at = left.findIndex((line, i) => line !== right[i]);
  const line = at === -1 ? left.length : at;
  return `line ${line + 1}:\n    perl:    ${left[line] ?? '(end)'}\n    furnace: ${right[line] ?? '(end)'}`;
}

function main(): number {
  const [perl, ...extra] = process.argv.slice(2);
  if (perl === undefined || !existsSync(perl)) {
    process.stderr.write('usage: npm run diff:collapse -- PATH/stackcollapse-perf.pl [more.perf-script …]\n');
    return 2;
  }
  const cases = [...goldenCases(), ...extraCases(extra)];
  let differing = 0;
  for (const c of cases) {
    const name = basename(c.input, '.perf-script');
    const label = `${name} ${c.options.join(' ')}`.trim();
    const expected = run('perl', [perl, ...c.options], c.input);
    const actual = run(process.execPath, [CLI, 'collapse-perf', ...c.options], c.input);
    const golden = c.golden === undefined ? '' : `, golden ${c.golden}`;
    if (expected === actual) {
      process.stdout.write(`same     ${label} (${expected.split('\n').length - 1} stacks${golden})\n`);
    } else if (KNOWN[name] !== undefined) {
      process.stdout.write(`known    ${label}: ${KNOWN[name]}\n`);
    } else {
      differing++;
      process.stdout.write(`DIFFERS  ${label}${golden}: ${firstDifference(expected, actual)}\n`);
    }
  }
  process.stdout.write(`${cases.length} comparisons, ${differing} differing\n`);
  return differing === 0 ? 0 : 1;
}

process.exitCode = main();
