// perf record's side of its control FIFOs, for a fake perf: what the shell wrapper and perf 6.1 do with
// `--control fifo:CTL,ACK` (perf-record-command.ts, perf-control.ts). The FIFOs are made, and each command
// read from CTL is answered "ack\n\0" on ACK at once, as perf's main loop does once its events are on.
import { constants, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { execFileSync } from './child-processes.ts';

/** The FIFOs named by perf's `--control fifo:CTL,ACK` argument, if it has one. */
function controlFifos(args: readonly string[]): { control: string; ack: string } | undefined {
  const value = args[args.indexOf('--control') + 1];
  if (!args.includes('--control') || value?.startsWith('fifo:') !== true) return undefined;
  const [control, ack] = value.slice('fifo:'.length).split(',');
  return control === undefined || ack === undefined ? undefined : { control, ack };
}

/**
 * Answers perf's control commands for a fake perf record started with `args`; returns what closes the
 * FIFOs (the fake perf's exit). Nothing for a command line without `--control`.
 */
export function answerPerfControl(args: readonly string[]): () => void {
  const fifos = controlFifos(args);
  if (fifos === undefined) return () => {};
  for (const path of [fifos.control, fifos.ack]) {
    rmSync(path, { force: true });
    execFileSync('mkfifo', ['-m', '600', path]);
  }
  const flags = constants.O_RDWR | constants.O_NONBLOCK;
  const commands = new Socket({ fd: openSync(fifos.control, flags), readable: true, writable: false });
  const acks = new Socket({ fd: openSync(fifos.ack, flags), readable: false, writable: true });
  commands.setEncoding('latin1');
  commands.on('data', (chunk: string) => {
    for (const char of chunk) if (char === '\n') acks.write('ack\n\0');
  });
  commands.on('error', () => undefined);
  acks.on('error', () => undefined);
  return () => {
    commands.destroy();
    acks.destroy();
  };
}
