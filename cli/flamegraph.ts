// `furnace flamegraph`: folded stacks (stdin or a file) → an SVG flame graph on stdout, like
// FlameGraph's flamegraph.pl; --html gives the self-contained viewer, --speedscope a speedscope file.
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { renderFlameGraphHtml } from '../core/render/html.ts';
import { isPaletteName, PALETTES } from '../core/render/palette.ts';
import { toSpeedscope } from '../core/render/speedscope.ts';
import { renderFlameGraphSvg, type FlameGraphOptions } from '../core/render/svg.ts';
import { parseFolded } from '../core/stacks/folded.ts';
import { parseCli, parseFilterArgs, refuseUsage, tooManyInputs, type CliIo } from './io.ts';

const USAGE = `usage: furnace flamegraph [options] [FILE] < stacks.folded > graph.svg

  --title TEXT       title (default "Flame Graph", "Icicle Graph" with --inverted)
  --subtitle TEXT    second title line
  --width N          image width in pixels (default 1200)
  --colors PALETTE   ${PALETTES.join(', ')} (default hot)
  --inverted         icicle graph: callers at the top
  --minwidth N       leave out frames narrower than N pixels (default 0.1)
  --countname TEXT   what a count is called in tooltips (default "samples")
  --html             a self-contained HTML viewer instead of SVG
  --speedscope       a speedscope JSON file instead of SVG
`;

const COMMAND = { name: 'flamegraph', usage: USAGE };

type Parsed = ReturnType<typeof parse>;

function parse(argv: string[]) {
  return parseFilterArgs(argv, {
    title: { type: 'string' },
    subtitle: { type: 'string' },
    width: { type: 'string' },
    colors: { type: 'string' },
    inverted: { type: 'boolean' },
    minwidth: { type: 'string' },
    countname: { type: 'string' },
    html: { type: 'boolean' },
    speedscope: { type: 'boolean' },
  });
}

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
  const parsed = parseCli(io, COMMAND, () => parse(argv));
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const options = toRenderOptions(values);
  if (typeof options === 'string') return refuseUsage(io, COMMAND, options);
  const refusal = tooManyInputs(positionals);
  if (refusal !== undefined) return refuseUsage(io, COMMAND, refusal);
  const file = positionals[0];
  let input: string;
  try {
    input = file === undefined || file === '-' ? await text(io.stdin) : await readFile(file, 'utf8');
  } catch (err) {
    io.stderr.write(`furnace flamegraph: ${(err as Error).message}\n`);
    return 1;
  }
  const stacks = parseFolded(input);
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
