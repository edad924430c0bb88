// The streams a subcommand reads and writes; tests pass their own.
import type { Readable, Writable } from 'node:stream';
import type { ParseArgsConfig } from 'node:util';

// Not `import … from 'node:util'`: importing a built-in module from ESM reads every export it has,
// which runs its lazy getters (node:util's load streams, worker_threads and more), a few ms of start-up
// that a short command like collapse-perf notices. process.getBuiltinModule runs none of them.
const { parseArgs } = process.getBuiltinModule('node:util');

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /**
   * The process's own file descriptors behind stdin and stdout, for a command that reads or writes them
   * directly (collapse-perf); tests leave it out.
   */
  fds?: { stdin: number; stdout: number };
}

/**
 * This process's streams, each made when first used: making process.stdin or process.stdout loads
 * Node's stream modules (about 45 of them with fs's streams and readline), which a command that uses
 * `fds` never needs.
 */
export function processIo(): CliIo {
  return {
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    fds: { stdin: 0, stdout: 1 },
  };
}

// Runs a subcommand's option parser. `-h` prints the usage and a bad option (node:util's message
// names it) prints the message and the usage; both return the exit code (0 or 2) instead of options.
export function parseCli<T extends { values: { help?: boolean | undefined } }>(
  io: CliIo,
  command: { name: string; usage: string },
  parse: () => T,
): T | number {
  let parsed: T;
  try {
    parsed = parse();
  } catch (err) {
    return refuseUsage(io, command, (err as Error).message);
  }
  if (parsed.values.help === true) {
    io.stdout.write(command.usage);
    return 0;
  }
  return parsed;
}

/** Writes what is wrong with the command line and the usage; returns the exit code, 2. */
export function refuseUsage(io: CliIo, command: { name: string; usage: string }, message: string): number {
  io.stderr.write(`furnace ${command.name}: ${message}\n${command.usage}`);
  return 2;
}

/** A filter's option: node:util's config of it, and its line in the usage. */
export interface FilterOption {
  type: 'boolean' | 'string';
  /** The value's placeholder in the usage, e.g. `N`. */
  value?: string;
  help: string;
}

type FilterOptions = NonNullable<ParseArgsConfig['options']> & Record<string, FilterOption>;

/** The usage: the synopsis, then a line per option with its help from column `column`. */
function filterUsage(synopsis: string, options: Record<string, FilterOption>, column: number): string {
  const lines = Object.entries(options).map(([name, option]) => {
    const flag = option.value === undefined ? `--${name}` : `--${name} ${option.value}`;
    return `  ${flag.padEnd(column - 3)} ${option.help}`;
  });
  return `${synopsis}\n\n${lines.join('\n')}\n`;
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** node:util's parser as the filters (`collapse-perf`, `flamegraph`) use it: strict, `-h`, FILE arguments. */
export function parseFilterArgs<const O extends FilterOptions>(argv: string[], options: O) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { ...options, ...HELP_OPTION },
  });
}

/** A filter command: its name, its options, and its usage made from them. */
export interface FilterCommand<O extends FilterOptions> {
  name: string;
  usage: string;
  options: O;
}

/** The filter `furnace <name>`; its usage has the synopsis, then the options' help from column `column`. */
export function filterCommand<const O extends FilterOptions>(
  name: string,
  synopsis: string,
  options: O,
  column: number,
): FilterCommand<O> {
  return { name, usage: filterUsage(synopsis, options, column), options };
}

/** A filter's command line read as parseCli does: its options and FILE arguments, or the exit code. */
export function parseFilterCli<const O extends FilterOptions>(
  io: CliIo,
  command: FilterCommand<O>,
  argv: string[],
) {
  return parseCli(io, command, () => parseFilterArgs(argv, command.options));
}

/** More than one input file: writes what is wrong and the usage, and answers the exit code 2. */
export function refuseExtraInputs(
  io: CliIo,
  command: { name: string; usage: string },
  positionals: string[],
): number | undefined {
  if (positionals.length <= 1) return undefined;
  return refuseUsage(io, command, `one input file at most, got ${positionals.length}`);
}
