// `furnace collapse-perf`: perf script text (stdin or a file) → folded stacks on stdout, like
// FlameGraph's stackcollapse-perf.pl.
import { closeSync, openSync, readSync, ReadStream } from 'node:fs';
import { StackCollapser, type CollapseOptions } from '../core/stacks/collapse-perf.ts';
import { filterCommand, parseFilterCli, refuseExtraInputs, type CliIo } from './io.ts';

const COMMAND = filterCommand(
  'collapse-perf',
  'usage: furnace collapse-perf [--pid] [--tid] [--kernel] [--jit] [--all] [--addrs] [FILE] < perf.script > stacks.folded',
  {
    pid: { type: 'boolean', help: 'include the PID with the process name' },
    tid: { type: 'boolean', help: 'include the PID and TID with the process name' },
    kernel: { type: 'boolean', help: 'annotate kernel frames with _[k]' },
    jit: { type: 'boolean', help: 'annotate JIT frames (/tmp/perf-PID.map) with _[j]' },
    all: { type: 'boolean', help: 'both annotations' },
    addrs: { type: 'boolean', help: 'keep raw addresses of frames without a symbol' },
  },
  13,
);

export async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseFilterCli(io, COMMAND, argv);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const refused = refuseExtraInputs(io, COMMAND, positionals);
  if (refused !== undefined) return refused;
  const options: CollapseOptions = {
    pid: values.pid === true,
    tid: values.tid === true,
    kernel: values.kernel === true,
    jit: values.jit === true,
    all: values.all === true,
    addrs: values.addrs === true,
  };
  try {
    const collapser = new StackCollapser(options);
    await feed(collapser, positionals[0], io);
    for (const piece of collapser.endText()) io.stdout.write(piece);
    // The same notes the perl script gives, once each, on stderr.
    if (collapser.skippedSamples > 0) {
      io.stderr.write(
        `Filtering for events of type: ${collapser.event} (${collapser.skippedSamples} samples of other events left out)\n`,
      );
    }
    if (collapser.unrecognizedLines > 0) {
      io.stderr.write(`Unrecognized lines: ${collapser.unrecognizedLines}\n`);
    }
    return 0;
  } catch (err) {
    io.stderr.write(`furnace collapse-perf: ${(err as Error).message}\n`);
    return 1;
  }
}

// A file (an argument, or stdin redirected from one) is read synchronously into one reused 1 MiB
// buffer: no round trip through libuv's thread pool and no fresh buffer per read. Pipes stream.
const FILE_CHUNK = 1024 * 1024;

async function feed(collapser: StackCollapser, file: string | undefined, io: CliIo): Promise<void> {
  if (file !== undefined && file !== '-') {
    const fd = openSync(file, 'r');
    try {
      readAll(fd, collapser);
    } finally {
      closeSync(fd);
    }
    return;
  }
  // process.stdin is an fs.ReadStream (with an `fd` the typings leave out) when it is a file.
  const fd = io.stdin instanceof ReadStream ? (io.stdin as ReadStream & { fd?: unknown }).fd : undefined;
  if (typeof fd === 'number') return readAll(fd, collapser);
  for await (const chunk of io.stdin) collapser.push(chunk as string | Buffer);
}

// The collapser copies what it keeps out of each chunk, so the buffer can be read into again.
function readAll(fd: number, collapser: StackCollapser): void {
  const buffer = Buffer.allocUnsafe(FILE_CHUNK);
  for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) collapser.push(buffer.subarray(0, n));
}
