// The long-lived pair of a plan: `perf record -o -` into `perf script -i -`, the record's stdout handed to
// the script as its stdin (no copy through the agent). Symbols are loaded once, by the one perf script;
// the node's processes are synthesized once, when perf record starts. Either perf ending ends the pair:
// a record without its reader is stopped, and `ended` resolves once both exited and the script's output was read.
import type { Readable } from 'node:stream';
import type { ChildLike, SpawnFn } from '../host/runtime.ts';

export interface PerfPairInput {
  spawn: SpawnFn;
  recordCommand: { command: string; args: string[] };
  scriptCommand: { command: string; args: string[] };
  /** Every chunk of perf script's output, as it arrives. */
  onOutput(chunk: Buffer): void;
}

export interface PerfPair {
  /** Stops perf record (SIGINT: it writes what it has); perf script then ends at its input's end. */
  stop(): void;
  /** Both perfs exited and every output chunk was passed on; why the pair ended. */
  ended: Promise<{ record: number | null; script: number | null; stderr: string }>;
}

function exitOf(child: ChildLike, name: string, stderr: { text: string }): Promise<number | null> {
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr.text = (stderr.text + chunk).slice(-2000)));
  return new Promise((resolve) => {
    child.on('error', (error: Error) => {
      stderr.text += `\n${name} could not start: ${error.message}`;
      resolve(null);
    });
    child.on('close', (code: number | null) => resolve(code));
  });
}

function outputDone(stdout: Readable | null, onOutput: (chunk: Buffer) => void): Promise<void> {
  if (stdout === null) return Promise.resolve();
  return new Promise((resolve) => {
    stdout.on('data', (chunk: Buffer) => onOutput(chunk));
    stdout.on('end', resolve);
    stdout.on('close', resolve);
    stdout.on('error', () => resolve());
  });
}

export function startPerfPair(input: PerfPairInput): PerfPair {
  const { spawn, recordCommand: rec, scriptCommand: scr } = input;
  const stderr = { text: '' };
  const record = spawn(rec.command, rec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const recordExit = exitOf(record, 'perf record', stderr);
  const data = record.stdout;
  const script = spawn(scr.command, scr.args, { stdio: [data ?? 'ignore', 'pipe', 'pipe'] });
  // The script has its own copy of the pipe; the agent's must neither read it nor keep it open.
  data?.destroy();
  const scriptExit = exitOf(script, 'perf script', stderr);
  const output = outputDone(script.stdout, (chunk) => input.onOutput(chunk));
  // perf script ends by itself at the end of its input, after printing what it still had. A record
  // without its reader would block (or die on the broken pipe): it is stopped.
  void scriptExit.then(() => record.kill('SIGTERM'));
  const ended = Promise.all([recordExit, scriptExit, output]).then(([recordCode, scriptCode]) => ({
    record: recordCode,
    script: scriptCode,
    stderr: stderr.text,
  }));
  return { stop: () => record.kill('SIGINT'), ended };
}
