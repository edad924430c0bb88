// The streams a subcommand reads and writes; tests pass their own.
import type { Readable, Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
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

type FilterOptions = NonNullable<ParseArgsConfig['options']>;

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

/** The message when a filter is given more than one input file. */
export function tooManyInputs(positionals: string[]): string | undefined {
  return positionals.length > 1 ? `one input file at most, got ${positionals.length}` : undefined;
}
