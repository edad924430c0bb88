// `furnace list`, `furnace get ID` and `furnace download ID`: the catalog through the aggregated API.
import type { CatalogEntry } from '../core/contract/recording.ts';
import { optionText, UsageError } from './args.ts';
import { downloadTo } from './artifact-files.ts';
import { checkedArtifactNames, checkedRecordingId, printable, printableJson } from './safe-output.ts';
import { remoteVerb, type VerbContext } from './remote.ts';
import { FORMATS, VERBS } from './verbs.ts';

/** Rows as aligned columns. */
export function formatTable(header: string[], cells: string[][]): string {
  const rows = cells.map((row) => row.map(printable));
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function scope(context: VerbContext): string {
  return context.parsed.options['all-namespaces'] === true
    ? ''
    : `/namespaces/${encodeURIComponent(context.namespace())}`;
}

async function list(context: VerbContext): Promise<number> {
  const api = context.api();
  if (context.parsed.options.pods === true) {
    const pods = await api.json<{ items: { namespace: string; pod: string; expiresAt: string }[] }>(
      'GET',
      `${scope(context)}/pods`,
    );
    const rows = pods.items.map((item) => [item.namespace, item.pod, item.expiresAt]);
    context.io.stdout.write(formatTable(['NAMESPACE', 'POD', 'LEASE UNTIL'], rows));
    return 0;
  }
  const items: CatalogEntry[] = [];
  let next: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '500', ...(next ? { continue: next } : {}) });
    const page = await api.json<{ items: CatalogEntry[]; continue?: string }>(
      'GET',
      `${scope(context)}/recordings?${query.toString()}`,
    );
    items.push(...page.items);
    next = page.continue;
  } while (next);
  const rows = items.map((e) => [
    e.id,
    e.namespace,
    e.pod,
    e.container ?? '',
    e.state,
    e.samples === undefined ? '' : String(e.samples),
    e.startedAt,
  ]);
  context.io.stdout.write(
    formatTable(['ID', 'NAMESPACE', 'POD', 'CONTAINER', 'STATE', 'SAMPLES', 'STARTED'], rows),
  );
  return 0;
}

function entryPath(context: VerbContext, id: string): string {
  return `/namespaces/${encodeURIComponent(context.namespace())}/recordings/${encodeURIComponent(id)}`;
}

async function get(context: VerbContext): Promise<number> {
  const [id] = context.positionals as [string];
  const entry = await context.api().json<CatalogEntry>('GET', entryPath(context, id));
  context.io.stdout.write(`${printableJson(entry)}\n`);
  return 0;
}

async function download(context: VerbContext): Promise<number> {
  const id = checkedRecordingId(context.positionals[0], 'the command line');
  const format = optionText(context.parsed, 'format');
  const wanted = format === undefined ? undefined : FORMATS[format];
  if (format !== undefined && wanted === undefined)
    throw new UsageError(`format ${JSON.stringify(format)} is not one of ${Object.keys(FORMATS).join(', ')}`);
  const api = context.api();
  const entry = await api.json<CatalogEntry>('GET', entryPath(context, id));
  const names: string[] = checkedArtifactNames(
    entry.artifacts.map((artifact) => artifact.name),
    `the catalog entry of ${printable(id)}`,
  );
  if (wanted !== undefined && !names.includes(wanted)) {
    context.io.stderr.write(
      `furnace download: recording ${id} has no ${wanted} (it has ${names.join(', ') || 'no artifacts'})\n`,
    );
    return 1;
  }
  const dir = optionText(context.parsed, 'output') ?? '.';
  for (const name of wanted === undefined ? names : [wanted]) {
    const file = `${id}-${name}`;
    const path = await downloadTo(api, `${entryPath(context, id)}/artifacts/${name}`, { dir, file });
    context.io.stdout.write(`${path}\n`);
  }
  return 0;
}

export const runList = remoteVerb(VERBS.list, list);
export const runGet = remoteVerb(VERBS.get, get);
export const runDownload = remoteVerb(VERBS.download, download);
