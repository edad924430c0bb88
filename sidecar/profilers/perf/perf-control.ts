// The recorder's side of perf record's control FIFOs (`--control fifo:CTL,ACK`): it writes commands into
// the one and reads perf's acks from the other. perf 6.1 answers `ping` and `enable` each with
// "ack\n\0" on the ack FIFO, once its main loop has read the command. Neither side may block: perf opens
// both FIFOs for reading and writing without blocking, the recorder writes without blocking (a command
// that finds the FIFO full is dropped) and reads the acks as they come, through a descriptor that is
// open for reading and writing, so that the ack FIFO never fills and never hangs up.
import { constants, open as openCallback } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { Socket } from 'node:net';
import { promisify } from 'node:util';
import type { PerfFifos } from './perf-record-command.ts';

export type PerfCommand = 'ping' | 'enable';

export interface PerfControl {
  /** Writes a command for perf; resolves once written, or dropped (a full FIFO, a perf gone). */
  send(command: PerfCommand): Promise<void>;
  /** Stops reading acks and closes both FIFOs (it does not remove them). */
  close(): Promise<void>;
}

/**
 * Opens perf's FIFOs once perf has (it does while it parses its options, before it writes perf.data);
 * `onAck` is called for each ack. Undefined when either cannot be opened yet: the control FIFO opens for
 * writing without blocking only once perf holds it open for reading.
 */
export type OpenPerfControl = (fifos: PerfFifos, onAck: () => void) => Promise<PerfControl | undefined>;

const openFd = promisify(openCallback);

export const openPerfControl: OpenPerfControl = async (fifos, onAck) => {
  let commands: FileHandle;
  try {
    commands = await open(fifos.control, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  let fd: number;
  try {
    fd = await openFd(fifos.ack, constants.O_RDWR | constants.O_NONBLOCK);
  } catch {
    await commands.close().catch(() => undefined);
    return undefined;
  }
  // A pipe handle reads on the event loop as data comes, not in a pool thread that a read could hold.
  const acks = new Socket({ fd, readable: true, writable: false });
  acks.setEncoding('latin1');
  acks.on('data', (chunk: string) => {
    for (const char of chunk) if (char === '\n') onAck();
  });
  acks.on('error', () => undefined);
  return {
    send: (command) =>
      commands.write(`${command}\n`).then(
        () => undefined,
        () => undefined,
      ),
    async close() {
      acks.destroy();
      await commands.close().catch(() => undefined);
    },
  };
};

/** Removes perf's FIFOs (perf and the recorder have closed them, or are gone). */
export async function removeFifos(fifos: PerfFifos): Promise<void> {
  await rm(fifos.control, { force: true }).catch(() => undefined);
  await rm(fifos.ack, { force: true }).catch(() => undefined);
}
