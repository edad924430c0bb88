// `furnace collapse-perf`: perf script text (stdin or a file) → folded stacks on stdout, like
// FlameGraph's stackcollapse-perf.pl.
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { StackCollapser, type CollapseOptions } from '../core/stacks/collapse-perf.ts';
import { formatFolded } from '../core/stacks/folded.ts';
import { parseCli, type CliIo } from './io.ts';

const USAGE = `usage: furnace collapse-perf [--pid] [--tid] [--kernel] [--jit] [--all] [--addrs] [FILE] < perf.script > stacks.folded

  --pid      include the PID with the process name
  --tid      include the PID and TID with the process name
  --kernel   annotate kernel frames with _[k]
  --jit      annotate JIT frames (/tmp/perf-PID.map) with _[j]
  --all      both annotations
  --addrs    keep raw addresses of frames without a symbol
`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCli(io, { name: 'collapse-perf', usage: USAGE }, () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        pid: { type: 'boolean' },
        tid: { type: 'boolean' },
        kernel: { type: 'boolean' },
        jit: { type: 'boolean' },
        all: { type: 'boolean' },
        addrs: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    io.stderr.write(`furnace collapse-perf: one input file at most, got ${positionals.length}\n${USAGE}`);
    return 2;
  }
  const options: CollapseOptions = {
    pid: values.pid === true,
    tid: values.tid === true,
    kernel: values.kernel === true,
    jit: values.jit === true,
    all: values.all === true,
    addrs: values.addrs === true,
  };
  const file = positionals[0];
  const input = file === undefined || file === '-' ? io.stdin : createReadStream(file);
  try {
    const collapser = new StackCollapser(options);
    for await (const chunk of input) collapser.push(chunk as string | Buffer);
    io.stdout.write(formatFolded(collapser.end()));
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
