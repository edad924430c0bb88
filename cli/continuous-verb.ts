// `furnace continuous <namespace>`: the merged flame graph of a time range of continuous profiling
// (docs/continuous.md), through the aggregated API like every cluster verb (or --server directly). The
// answer is read up to MAX_RANGE_BYTES; folded stacks as they came, an SVG or a pprof made here from them;
// into a new file (never replacing one) with -o, else to stdout with terminal controls made harmless.
import { randomBytes } from 'node:crypto';
import { link, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { foldedToPprof } from '../core/pprof/write-pprof.ts';
import { renderFlameGraphSvg } from '../core/render/svg.ts';
import { parseFolded } from '../core/stacks/folded.ts';
import { optionText, parseDuration, UsageError, type Parsed } from './args.ts';
import { ApiError, errorMessage, type FurnaceApi } from './kube-api.ts';
import { remoteVerb, type VerbContext } from './remote.ts';
import { printable } from './safe-output.ts';
import { CONTINUOUS_FORMATS, VERBS } from './verbs.ts';

/** The most bytes of merged stacks read; a larger answer stops there (narrow the range or the selection). */
export const MAX_RANGE_BYTES = 256 * 1024 * 1024;
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** A time as ms since the epoch, from an ISO 8601 date (`2026-03-01T12:00:00Z`) or ms; names the option. */
export function parseTime(text: string, option: string): number {
  const ms = /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms) || ms < 0)
    throw new UsageError(
      `--${option} ${JSON.stringify(text)} is not a time such as 2026-03-01T12:00:00Z or ms since the epoch`,
    );
  return ms;
}

/** [from, to) from --from and --to, or from --since (default 1h) up to now. */
export function rangeOf(parsed: Parsed, now: number): { from: number; to: number } {
  const [since, from, to] = ['since', 'from', 'to'].map((name) => optionText(parsed, name));
  if (since !== undefined && (from !== undefined || to !== undefined))
    throw new UsageError('--since is a range up to now: it takes no --from or --to');
  if (from === undefined && to !== undefined) throw new UsageError('--to needs --from');
  if (from !== undefined) {
    const range = { from: parseTime(from, 'from'), to: to === undefined ? now : parseTime(to, 'to') };
    if (range.to <= range.from) throw new UsageError(`--to must be after --from (${from})`);
    return range;
  }
  return { from: now - parseDuration(since ?? '1h') * 1000, to: now };
}

/** The aggregated path of the range query. */
export function rangePath(namespace: string, parsed: Parsed, range: { from: number; to: number }): string {
  if (!NAME.test(namespace))
    throw new UsageError(`namespace ${JSON.stringify(namespace)} is not a namespace name`);
  const query = new URLSearchParams({ from: String(range.from), to: String(range.to) });
  for (const name of ['workload', 'pod', 'container', 'node']) {
    const value = optionText(parsed, name);
    if (value !== undefined) query.set(name, value);
  }
  return `/namespaces/${encodeURIComponent(namespace)}/continuous?${query.toString()}`;
}

async function readRange(api: FurnaceApi, path: string) {
  const answer = await api.send('GET', path);
  const status = answer.statusCode ?? 0;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer) {
    size += (chunk as Buffer).length;
    if (size > MAX_RANGE_BYTES) {
      answer.destroy();
      throw new Error(
        `the merged stacks are larger than ${MAX_RANGE_BYTES} bytes; narrow the range (--since, --from/--to) or the selection (--workload, --pod, --container)`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (status !== 200) throw new ApiError(status, errorMessage(status, text));
  const header = (name: string) => Number(answer.headers[name] ?? NaN);
  return { text, windows: header('x-furnace-windows'), samples: header('x-furnace-samples') };
}

/** Writes a new file: a temporary name first, then linked to `path` only if nothing is there. */
async function writeNewFile(path: string, data: string | Buffer): Promise<void> {
  const partial = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  await writeFile(partial, data, { flag: 'wx' });
  try {
    await link(partial, path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw new Error(`${path} exists already; it was not replaced`);
      throw error;
    });
  } finally {
    await rm(partial, { force: true });
  }
}

/** The range's folded text in `format`, titled `title`. */
function render(
  format: string,
  { text, title }: { text: string; title: string },
  range: { from: number; to: number },
  parsed: Parsed,
) {
  if (format === 'folded') return text;
  const stacks = parseFolded(text);
  if (format === 'svg')
    return renderFlameGraphSvg(stacks, {
      title,
      subtitle: `${new Date(range.from).toISOString()} – ${new Date(range.to).toISOString()}`,
    });
  const frequency = Number(optionText(parsed, 'frequency') ?? '19');
  if (!Number.isInteger(frequency) || frequency < 1 || frequency > 99)
    throw new UsageError(`--frequency ${optionText(parsed, 'frequency')} is not a whole number from 1 to 99`);
  return foldedToPprof(stacks, { frequency, startedAtMs: range.from, durationMs: range.to - range.from });
}

async function continuous(context: VerbContext): Promise<number> {
  const [namespace] = context.positionals as [string];
  const { parsed, io } = context;
  const format = optionText(parsed, 'format') ?? 'folded';
  if (!CONTINUOUS_FORMATS.includes(format))
    throw new UsageError(`format ${JSON.stringify(format)} is not one of ${CONTINUOUS_FORMATS.join(', ')}`);
  const output = optionText(parsed, 'output');
  if (format === 'pprof' && output === undefined)
    throw new UsageError('--format pprof is binary: write it to a file with -o FILE');
  const range = rangeOf(parsed, Date.now());
  const answer = await readRange(context.api(), rangePath(namespace, parsed, range));
  const what = `${answer.windows} windows, ${answer.samples} samples of ${namespace} from ${new Date(range.from).toISOString()} to ${new Date(range.to).toISOString()}`;
  if (!(answer.samples > 0)) {
    io.stderr.write(
      `furnace continuous: no samples (${what}); is continuous profiling switched on for this namespace (docs/continuous.md)?\n`,
    );
    return 1;
  }
  const data = render(format, { text: answer.text, title: `Continuous: ${namespace}` }, range, parsed);
  if (output === undefined)
    io.stdout.write(printable(typeof data === 'string' ? data : data.toString('utf8')));
  else await writeNewFile(output, data);
  io.stderr.write(`furnace continuous: ${printable(what)}${output === undefined ? '' : ` → ${output}`}\n`);
  return 0;
}

export const runContinuous = remoteVerb(VERBS.continuous, continuous);
