// Runs a `furnace` subcommand in-process through its run(argv, io), with stdin given and stdout and
// stderr collected, as a user at a terminal would see them.
import { PassThrough, Readable } from 'node:stream';
import type { CliIo } from '../../cli/io.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  command: (argv: string[], io: CliIo) => Promise<number>,
  argv: string[],
  input: string | Buffer = '',
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const code = await command(argv, { stdin: Readable.from([input]), stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
