// The one table of external commands the tests start (test/commands.tsv), and the check every process start
// of the harness makes against it. test/setup.sh installs from the same table, so a command that a machine
// has only because someone installed it by hand fails here, on every machine, instead of on a fresh one.
import { existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { PROJECT_ROOT } from './project-root.ts';

export const COMMAND_TABLE_PATH = join(PROJECT_ROOT, 'test', 'commands.tsv');
const TABLE_NAME = 'test/commands.tsv';

export const COMMAND_SOURCES = ['debian', 'build', 'machine', 'project'] as const;
export type CommandSource = (typeof COMMAND_SOURCES)[number];

export interface CommandRow {
  command: string;
  from: CommandSource;
  package: string;
  line: number;
}

/** The table's rows; a malformed line throws naming its line number. */
export function parseCommandTable(text: string): CommandRow[] {
  const rows: CommandRow[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const [command = '', from = '', pkg = '', ...rest] = raw.split('\t');
    if (rest.length > 0 || command === '' || pkg.trim() === '') {
      throw new Error(
        `${TABLE_NAME}:${line}: expected command<TAB>from<TAB>package, got ${JSON.stringify(raw)}`,
      );
    }
    if (!(COMMAND_SOURCES as readonly string[]).includes(from)) {
      throw new Error(`${TABLE_NAME}:${line}: from is ${from}; allowed: ${COMMAND_SOURCES.join(', ')}`);
    }
    rows.push({ command, from: from as CommandSource, package: pkg, line });
  });
  return rows;
}

let table: CommandRow[] | undefined;

/** The table as checked in, read once per process. */
export function commandTable(): CommandRow[] {
  table ??= parseCommandTable(readFileSync(COMMAND_TABLE_PATH, 'utf8'));
  return table;
}

/** The test cache, where the build scripts put what they build (build-control-plane.sh's CACHE_ROOT). */
function testCache(): string {
  return (
    process.env.FURNACE_TEST_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'furnace-test')
  );
}

/** Directories where an installed or built tool lives: a path there is the tool its name says. */
function toolDirs(): string[] {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter((dir) => isAbsolute(dir));
  const built = ['FURNACE_TEST_BIN_DIR', 'FURNACE_TEST_COREDNS_BIN_DIR', 'FURNACE_TEST_S3_BIN_DIR'].map(
    (name) => process.env[name],
  );
  return [
    ...onPath,
    '/usr/local/go/bin',
    '/usr/bin',
    '/bin',
    '/usr/sbin',
    '/sbin',
    ...built.filter((dir) => dir !== undefined),
  ];
}

/** Where the tests put programs of their own: compiled into scratch directories, or in the checkout. */
function projectDirs(): string[] {
  return [tmpdir(), '/tmp', '/var/tmp', PROJECT_ROOT, testCache()];
}

function isUnder(path: string, dir: string): boolean {
  return path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * Why `command` may be started: its row, or 'project' for the Node that runs the tests and for a program
 * the project made; undefined when the table does not allow it.
 */
export function allowedBy(command: string, rows: readonly CommandRow[]): CommandRow | 'project' | undefined {
  if (command === process.execPath) return 'project';
  const exact = rows.find((row) => row.command === command);
  if (exact) return exact;
  if (!command.includes('/')) return undefined;
  const path = resolve(command);
  const byName = rows.find((row) => row.command === basename(path));
  if (byName && toolDirs().includes(dirname(path))) return byName;
  return projectDirs().some((dir) => isUnder(path, dir)) ? 'project' : undefined;
}

/** Options of a launcher that take the next argument as their value (not the command it starts). */
const LAUNCHER_VALUE_OPTIONS: Record<string, readonly string[]> = {
  unshare: [
    ...['--propagation', '--setgroups', '--map-user', '--map-group', '--map-users', '--map-groups'],
    ...['-S', '--setuid', '-G', '--setgid', '-R', '--root', '-w', '--wd', '--monotonic', '--boottime'],
  ],
  setpriv: [
    ...['--reuid', '--regid', '--ruid', '--rgid', '--euid', '--egid', '--groups', '--securebits'],
    ...['--inh-caps', '--ambient-caps', '--bounding-set', '--pdeathsig', '--selinux-label'],
    ...['--apparmor-profile', '--landlock-access', '--landlock-rule'],
  ],
  taskset: [],
  stdbuf: ['-i', '-o', '-e'],
};

/**
 * The command a launcher (unshare, setpriv, taskset, stdbuf) starts with these arguments, or undefined when it
 * starts none (`taskset -p` changes a running process). The launcher's own options are skipped.
 */
export function launchedCommand(command: string, args: readonly string[]): string | undefined {
  const name = basename(command);
  const valued = LAUNCHER_VALUE_OPTIONS[name];
  if (!valued) return undefined;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (positional.length === 0 && name === 'taskset' && /^(--pid|-[a-z]*p[a-z]*)$/.test(arg))
      return undefined;
    if (positional.length === 0 && arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (positional.length === 0 && arg.startsWith('-')) {
      if (valued.includes(arg)) i++;
      continue;
    }
    positional.push(arg);
  }
  // taskset's first positional is the CPU mask or list.
  return name === 'taskset' ? positional[1] : positional[0];
}

/**
 * Throws unless the table allows `command` (and the command a launcher in front of it starts). Every
 * process start of the harness calls this right before it spawns.
 */
export function checkCommand(command: string, args: readonly string[] = []): void {
  // A path where nothing is starts nothing either way: a test of a missing binary gets its ENOENT.
  const absent = command.includes('/') && !existsSync(command);
  if (!absent && !allowedBy(command, commandTable())) {
    throw new Error(
      `${command} is not in ${TABLE_NAME}, the table test/setup.sh installs from: add it there with its Debian package (or how it is built)`,
    );
  }
  const launched = launchedCommand(command, args);
  if (launched !== undefined) checkCommand(launched, args.slice(args.indexOf(launched) + 1));
}
