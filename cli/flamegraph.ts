// `furnace flamegraph`: folded stacks (stdin or a file) → an SVG flame graph on stdout, like
// FlameGraph's flamegraph.pl; --html gives the self-contained viewer, --speedscope a speedscope file.
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { renderFlameGraphHtml } from '../core/render/html.ts';
import { isPaletteName, PALETTES } from '../core/render/palette.ts';
import { toSpeedscope } from '../core/render/speedscope.ts';
import { renderFlameGraphSvg, type FlameGraphOptions } from '../core/render/svg.ts';
import { invalidFoldedLines, parseFolded } from '../core/stacks/folded.ts';
import {
  filterCommand,
  parseFilterArgs,
  parseFilterCli,
  refuseExtraInputs,
  refuseUsage,
  type CliIo,
} from './io.ts';

const COMMAND = filterCommand(
  'flamegraph',
  'usage: furnace flamegraph [options] [FILE] < stacks.folded > graph.svg',
  {
    title: {
      type: 'string',
      value: 'TEXT',
      help: 'title (default "Flame Graph", "Icicle Graph" with --inverted)',
    },
    subtitle: { type: 'string', value: 'TEXT', help: 'second title line' },
    width: { type: 'string', value: 'N', help: 'image width in pixels (default 1200)' },
    colors: { type: 'string', value: 'PALETTE', help: `${PALETTES.join(', ')} (default hot)` },
    inverted: { type: 'boolean', help: 'icicle graph: callers at the top' },
    minwidth: { type: 'string', value: 'N', help: 'leave out frames narrower than N pixels (default 0.1)' },
    countname: {
      type: 'string',
      value: 'TEXT',
      help: 'what a count is called in tooltips (default "samples")',
    },
    html: { type: 'boolean', help: 'a self-contained HTML viewer instead of SVG' },
    speedscope: { type: 'boolean', help: 'a speedscope JSON file instead of SVG' },
  },
  21,
);

type Parsed = ReturnType<typeof parseFilterArgs<typeof COMMAND.options>>;

/** The render options, or the message that names the bad option. */
export function toRenderOptions(values: Parsed['values']): FlameGraphOptions | string {
  const options: FlameGraphOptions = {};
  if (values.title !== undefined) options.title = values.title;
  if (values.subtitle !== undefined) options.subtitle = values.subtitle;
  if (values.countname !== undefined) options.countName = values.countname;
  if (values.inverted === true) options.inverted = true;
  const refusal =
    applyWidth(options, values.width) ??
    applyMinWidth(options, values.minwidth) ??
    applyColors(options, values.colors);
  if (refusal !== undefined) return refusal;
  if (values.html === true && values.speedscope === true) return '--html and --speedscope exclude each other';
  return options;
}

/** Sets the width from --width; the message when it is not one. */
function applyWidth(options: FlameGraphOptions, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const width = Number(text);
  if (!Number.isInteger(width) || width < 100 || width > 100_000) {
    return `--width must be a whole number of pixels from 100 to 100000, got '${text}'`;
  }
  options.width = width;
  return undefined;
}

/** Sets the narrowest frame drawn from --minwidth; the message when it is not a width. */
function applyMinWidth(options: FlameGraphOptions, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const minWidth = Number(text);
  if (text.trim() === '' || !Number.isFinite(minWidth) || minWidth < 0) {
    return `--minwidth must be a number of pixels, 0 or more, got '${text}'`;
  }
  options.minWidth = minWidth;
  return undefined;
}

/** Sets the palette from --colors; the message when it names none. */
function applyColors(options: FlameGraphOptions, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!isPaletteName(text)) return `--colors must be one of ${PALETTES.join(', ')}, got '${text}'`;
  options.colors = text;
  return undefined;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseFilterCli(io, COMMAND, argv);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const options = toRenderOptions(values);
  if (typeof options === 'string') return refuseUsage(io, COMMAND, options);
  const refused = refuseExtraInputs(io, COMMAND, positionals);
  if (refused !== undefined) return refused;
  const file = positionals[0];
  let input: string;
  try {
    input = file === undefined || file === '-' ? await text(io.stdin) : await readFile(file, 'utf8');
  } catch (err) {
    io.stderr.write(`furnace flamegraph: ${(err as Error).message}\n`);
    return 1;
  }
  const stacks = parseFolded(input);
  // As flamegraph.pl: lines it cannot read are counted on stderr, and no stack at all is an error (exit 2).
  const invalid = invalidFoldedLines(input);
  if (invalid > 0) {
    const what =
      invalid === 1 ? '1 line that is not a folded stack' : `${invalid} lines that are not folded stacks`;
    io.stderr.write(`furnace flamegraph: ignored ${what}\n`);
  }
  if (stacks.size === 0) {
    io.stderr.write(
      "furnace flamegraph: no stack counts found in the input (folded stacks: one 'frame;frame;frame COUNT' per line, as collapse-perf writes them)\n",
    );
    return 2;
  }
  if (values.speedscope === true) {
    const name = options.title ?? 'Flame Graph';
    io.stdout.write(`${JSON.stringify(toSpeedscope(stacks, { name }))}\n`);
  } else if (values.html === true) {
    io.stdout.write(renderFlameGraphHtml(stacks, options));
  } else {
    io.stdout.write(renderFlameGraphSvg(stacks, options));
  }
  return 0;
}
