// `furnace collapse-perf`: perf script text (stdin or a file) → folded stacks on stdout, like
// FlameGraph's stackcollapse-perf.pl.
import { StackCollapser, type CollapseOptions } from '../core/stacks/collapse-perf.ts';
import { readRange } from './parallel-collapse/read-range.ts';
import { filterCommand, parseFilterCli, refuseExtraInputs, refuseUsage, type CliIo } from './io.ts';

// Not an ESM import: that would run node:fs's lazy getters (its streams, promises and readline), a few
// ms of start-up (see io.ts).
const { closeSync, fstatSync, openSync, readSync, writeSync } = process.getBuiltinModule('node:fs');

const COMMAND = filterCommand(
  'collapse-perf',
  'usage: furnace collapse-perf [--pid] [--tid] [--kernel] [--jit] [--all] [--addrs] [--threads N] [FILE] < perf.script > stacks.folded',
  {
    pid: { type: 'boolean', help: 'include the PID with the process name' },
    tid: { type: 'boolean', help: 'include the PID and TID with the process name' },
    kernel: { type: 'boolean', help: 'annotate kernel frames with _[k]' },
    jit: { type: 'boolean', help: 'annotate JIT frames (/tmp/perf-PID.map) with _[j]' },
    all: { type: 'boolean', help: 'both annotations' },
    addrs: { type: 'boolean', help: 'keep raw addresses of frames without a symbol' },
    threads: {
      type: 'string',
      value: 'N',
      help: 'threads for a file input: 1 (the default) reads it in one pass, 2 as a pipeline over two threads, more cut at sample boundaries',
    },
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
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) {
    return refuseUsage(io, COMMAND, `--threads must be a whole number from 1 to 64, got '${values.threads}'`);
  }
  try {
    const collapser = await collapseInput(positionals[0], io, options, threads);
    writeText(collapser, io);
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

// This process's own stdout (a file or a pipe, both written synchronously on Linux) gets every piece
// from one reused buffer, written before the next is made: tens of MB of fresh output buffers would
// cost a page fault per 4 KiB. Any other stream gets pieces of its own.
function writeText(collapser: StackCollapser, io: CliIo): void {
  const fd = io.fds?.stdout;
  if (fd === undefined) {
    for (const piece of collapser.endText()) io.stdout.write(piece);
    return;
  }
  for (const piece of collapser.endText(true)) writeAll(fd, piece);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) {
    try {
      at += writeSync(fd, bytes, at);
    } catch (err) {
      // A non-blocking pipe that is full: wait a moment for the reader.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(PAUSE, 0, 0, 1);
    }
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

// A file (an argument, or stdin redirected from one) is read in one pass, synchronously into one reused
// 1 MiB buffer (no round trip through libuv's thread pool, no fresh buffer per read); with --threads 2
// or more it is collapsed on several threads (parallel-collapse/, loaded only then: worker_threads and
// its modules cost start-up time one pass does not need). Pipes stream.
const FILE_CHUNK = 1024 * 1024;

async function collapseInput(
  file: string | undefined,
  io: CliIo,
  options: CollapseOptions,
  threads: number | undefined,
): Promise<StackCollapser> {
  if (file !== undefined && file !== '-') {
    const fd = openSync(file, 'r');
    try {
      return await collapseFile(fd, options, threads);
    } finally {
      closeSync(fd);
    }
  }
  // Our own stdin redirected from a file is read as a file; a pipe streams through io.stdin.
  const fd = io.fds?.stdin;
  if (fd !== undefined && fstatSync(fd).isFile()) return collapseFile(fd, options, threads);
  const collapser = new StackCollapser(options);
  for await (const chunk of io.stdin) collapser.push(chunk as string | Buffer);
  return collapser;
}

async function collapseFile(fd: number, options: CollapseOptions, threads?: number): Promise<StackCollapser> {
  const stats = fstatSync(fd);
  if (stats.isFile() && (threads ?? 1) >= 3) {
    const { collapseFileInParts } = await import('./parallel-collapse/collapse-file.ts');
    const inParts = await collapseFileInParts(fd, stats.size, options, { parts: threads });
    if (inParts !== undefined) return inParts;
  } else if (stats.isFile() && usePipeline(threads)) {
    const { collapseInPipeline } = await import('./parallel-collapse/collapse-pipeline.ts');
    const piped = await collapseInPipeline(fd, options);
    if (piped !== undefined) return piped;
    // A line longer than the pipeline's slots: read again from the start, in one pass.
    const collapser = new StackCollapser(options);
    readRange(fd, 0, stats.size, collapser);
    return collapser;
  }
  const collapser = new StackCollapser(options);
  readAll(fd, collapser);
  return collapser;
}

/**
 * Two threads only when asked (`--threads 2`): on the 2-core machine of bench:collapse, with nothing else
 * running, the pipeline was 4 % sooner than one pass (median of three runs) for 40 % more CPU and 30 MB
 * more memory, and with the machine busy it took 1.8 times as long (docs/benchmarks.md).
 */
function usePipeline(threads: number | undefined): boolean {
  return threads === 2;
}

// The collapser copies what it keeps out of each chunk, so the buffer can be read into again.
function readAll(fd: number, collapser: StackCollapser): void {
  const buffer = Buffer.allocUnsafe(FILE_CHUNK);
  for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) collapser.push(buffer.subarray(0, n));
}
