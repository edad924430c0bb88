// `furnace symbols upload FILE`, `furnace symbols list` and `furnace symbols delete BUILD-ID`: a namespace's
// symbol files through the aggregated API (…/namespaces/NS/symbols), or --server directly. The file is sent
// as it is; the server reads its build id, checks it and answers what it kept. `furnace symbols resymbolize
// ID` asks the recording's recorder to symbolize it again and waits for its warning that says how it ended.
import { readFile, stat } from 'node:fs/promises';
import type { CatalogEntry } from '../core/contract/recording.ts';
import { resymbolizeOutcome } from '../core/contract/resymbolize.ts';
import type { SymbolList, SymbolUpload } from '../core/contract/symbols.ts';
import { BUILD_ID } from '../core/contract/symbols.ts';
import { formatTable } from './catalog-verbs.ts';
import type { CliIo } from './io.ts';
import { ApiError, errorMessage, readAll } from './kube-api.ts';
import { remoteVerb, type VerbContext } from './remote.ts';
import { checkedRecordingId, printable } from './safe-output.ts';
import { UsageError } from './args.ts';
import { SYMBOL_VERBS } from './verbs.ts';

function symbolsPath(context: VerbContext, buildId?: string): string {
  const base = `/namespaces/${encodeURIComponent(context.namespace())}/symbols`;
  return buildId === undefined ? base : `${base}/${encodeURIComponent(buildId)}`;
}

async function upload(context: VerbContext): Promise<number> {
  const [file] = context.positionals as [string];
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`${file} is not a file`);
  const answer = await context.api().send('POST', symbolsPath(context), {
    body: await readFile(file),
    headers: { 'content-type': 'application/octet-stream' },
  });
  const text = (await readAll(answer)).toString('utf8');
  const status = answer.statusCode ?? 0;
  if (status < 200 || status > 299) throw new ApiError(status, `${file}: ${errorMessage(status, text)}`);
  const kept = JSON.parse(text) as SymbolUpload;
  const what = kept.stored ? 'uploaded' : 'already there (kept as it was)';
  context.io.stdout.write(
    printable(
      `${file}: build id ${kept.buildId} ${what} in ${kept.namespace}, ${kept.bytes} bytes, until ${kept.expiresAt}\n`,
    ),
  );
  return 0;
}

async function list(context: VerbContext): Promise<number> {
  const answer = await context.api().json<SymbolList>('GET', symbolsPath(context));
  const rows = answer.items.map((item) => [
    item.buildId,
    String(item.bytes),
    item.uploadedAt,
    item.expiresAt,
  ]);
  context.io.stdout.write(formatTable(['BUILD ID', 'BYTES', 'UPLOADED', 'EXPIRES'], rows));
  context.io.stderr.write(
    printable(`${answer.namespace}: ${answer.bytes} of ${answer.maxBytes} bytes of symbol files\n`),
  );
  return 0;
}

async function remove(context: VerbContext): Promise<number> {
  const [buildId] = context.positionals as [string];
  if (!BUILD_ID.test(buildId))
    throw new UsageError(
      `${JSON.stringify(buildId)} is not a build id (lower-case hex, as symbols list shows)`,
    );
  const answer = await context.api().send('DELETE', symbolsPath(context, buildId));
  const text = (await readAll(answer)).toString('utf8');
  const status = answer.statusCode ?? 0;
  if (status < 200 || status > 299) throw new ApiError(status, errorMessage(status, text));
  context.io.stdout.write(printable(`deleted ${buildId} from ${context.namespace()}\n`));
  return 0;
}

/** How long `resymbolize` waits for the recording's new graphs, and how often it looks. */
const RESYMBOLIZE_WAIT_MS = 10 * 60 * 1000;
const RESYMBOLIZE_POLL_MS = 2000;

async function resymbolizeRecording(context: VerbContext): Promise<number> {
  const id = checkedRecordingId(context.positionals[0], 'the command line');
  const api = context.api();
  const path = `/namespaces/${encodeURIComponent(context.namespace())}/recordings/${encodeURIComponent(id)}`;
  const entry = await api.json<CatalogEntry>('GET', path);
  const before = entry.warnings ?? [];
  const pod = `/namespaces/${encodeURIComponent(entry.namespace)}/pods/${encodeURIComponent(entry.pod)}`;
  await api.json('POST', `${pod}/recordings/${encodeURIComponent(id)}/resymbolize`, {});
  context.io.stderr.write(printable(`furnace symbols: ${entry.pod}'s recorder symbolizes ${id} again…\n`));
  const until = Date.now() + RESYMBOLIZE_WAIT_MS;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, RESYMBOLIZE_POLL_MS));
    const now = (await api.json<CatalogEntry>('GET', path)).warnings ?? [];
    const outcome = resymbolizeOutcome(before, now);
    if (outcome === undefined) continue;
    context.io.stdout.write(printable(`${id}: ${outcome.message}\n`));
    return outcome.ok ? 0 : 1;
  }
  throw new Error(
    `${id} was not symbolized again within ${RESYMBOLIZE_WAIT_MS / 1000} s (see furnace get ${id})`,
  );
}

const ACTIONS = {
  upload: remoteVerb(SYMBOL_VERBS.upload, upload),
  list: remoteVerb(SYMBOL_VERBS.list, list),
  delete: remoteVerb(SYMBOL_VERBS.delete, remove),
  resymbolize: remoteVerb(SYMBOL_VERBS.resymbolize, resymbolizeRecording),
} as const;

const USAGE =
  'usage: furnace symbols upload <file> | list | delete <build-id> | resymbolize <recording-id> [-n NS]\n' +
  "'furnace symbols <action> --help' describes each.\n";

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = argv;
  if (action === '-h' || action === '--help') {
    io.stdout.write(USAGE);
    return 0;
  }
  const verb = action === undefined ? undefined : ACTIONS[action as keyof typeof ACTIONS];
  if (verb === undefined) {
    io.stderr.write(
      `furnace symbols: ${action === undefined ? 'no action' : `unknown action '${printable(action)}'`}\n${USAGE}`,
    );
    return 2;
  }
  return verb(rest, io);
}
