// `furnace ui` and `furnace open ID`: a loopback HTTP listener that forwards the web UI's requests to
// Furnace through the API server (aggregated API) with the kubeconfig's credentials. The listener holds
// those credentials, so it answers only loopback Host headers and the browser's same-origin requests
// (the server's own local-mode rules, core/contract/request-guard.ts): another web page cannot use it.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toAggregatedUrl } from '../core/contract/aggregated-api.ts';
import { checkUserRequest, type RequestFacts } from '../core/contract/request-guard.ts';
import { optionText, UsageError } from './args.ts';
import { readAll, type FurnaceApi } from './kube-api.ts';
import { remoteVerb, type VerbContext } from './remote.ts';
import { VERBS } from './verbs.ts';

/** Answer headers passed back to the browser; nothing of the API server's own (audit ids, cookies). */
const PASSED_HEADERS = [
  'content-type',
  'content-length',
  'content-disposition',
  'cache-control',
  'content-security-policy',
  'x-content-type-options',
  'retry-after',
];
const MAX_BODY = 1024 * 1024;
const FACT_HEADERS = [
  ['host', 'host'],
  ['origin', 'origin'],
  ['contentType', 'content-type'],
  ['secFetchSite', 'sec-fetch-site'],
  ['secFetchMode', 'sec-fetch-mode'],
] as const;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message }));
}

async function forward(api: FurnaceApi, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const facts: RequestFacts = { method: req.method ?? 'GET' };
  for (const [fact, header] of FACT_HEADERS) {
    const value = first(req.headers[header]);
    if (value !== undefined) facts[fact] = value;
  }
  const refusal = checkUserRequest(facts, { loopbackOnly: true });
  if (refusal) return refuse(res, refusal.status, refusal.message);
  const target = toAggregatedUrl(req.url ?? '/');
  if (target === undefined) return refuse(res, 404, `${req.url ?? ''} is not a Furnace UI path`);
  const body = await readAll(req);
  if (body.length > MAX_BODY) return refuse(res, 413, 'request body too large');
  const contentType = first(req.headers['content-type']);
  const answer = await api.send(req.method ?? 'GET', target, {
    raw: true,
    ...(body.length > 0 ? { body } : {}),
    headers: contentType ? { 'content-type': contentType } : {},
  });
  const headers: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = first(answer.headers[name]);
    if (value !== undefined) headers[name] = value;
  }
  res.writeHead(answer.statusCode ?? 502, headers);
  answer.pipe(res);
}

export interface UiForwarder {
  url: string;
  server: Server;
}

export async function startUiForwarder(api: FurnaceApi, port: number): Promise<UiForwarder> {
  const server = createServer((req, res) => {
    forward(api, req, res).catch((error: unknown) => {
      if (!res.headersSent) refuse(res, 502, (error as Error).message);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Opens a URL in the desktop's browser ($BROWSER, else xdg-open or macOS open). */
function openBrowser(url: string): void {
  const command = process.env.BROWSER ?? (process.platform === 'darwin' ? 'open' : 'xdg-open');
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

async function serve(context: VerbContext, page: string): Promise<number> {
  const text = optionText(context.parsed, 'port') ?? '0';
  if (!/^\d+$/.test(text) || Number(text) > 65535)
    throw new UsageError(`port ${JSON.stringify(text)} is not a port number (0 to 65535)`);
  const forwarder = await startUiForwarder(context.api(), Number(text));
  const url = `${forwarder.url}${page}`;
  context.io.stdout.write(`Furnace UI at ${url} (through ${context.api().server}); Ctrl-C stops it\n`);
  if (context.parsed.options['no-browser'] !== true) openBrowser(url);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      forwarder.server.close(() => resolve());
      forwarder.server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

export const runUi = remoteVerb(VERBS.ui, (context) => serve(context, '/'));
export const runOpen = remoteVerb(VERBS.open, (context) =>
  serve(context, `/recordings/${encodeURIComponent(context.positionals[0] ?? '')}`),
);
