// The streams a subcommand reads and writes; tests pass their own.
import type { Readable, Writable } from 'node:stream';

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
    io.stderr.write(`furnace ${command.name}: ${(err as Error).message}\n${command.usage}`);
    return 2;
  }
  if (parsed.values.help === true) {
    io.stdout.write(command.usage);
    return 0;
  }
  return parsed;
}
