// `furnace ui` and `furnace open ID`: a loopback HTTP listener that forwards the web UI's requests to
// Furnace through the API server (aggregated API) with the kubeconfig's credentials. The listener holds
// those credentials, so:
// - it answers only a caller who shows this run's random key: the URL it prints carries it once, and the
//   browser keeps it as an HttpOnly cookie on the key's own `.localhost` host, which no other loopback
//   port receives; the browser is started on a file of this user's (cli/open-browser.ts), never with the
//   key on its command line; another local user or process does not know it;
// - it answers only loopback Host headers and the browser's same-origin requests (the server's own
//   local-mode rules, core/contract/request-guard.ts): another web page cannot use it;
// - it forwards only paths that map onto the aggregated API with no segment that could climb out of it
//   (`safeAggregatedUrl`), so the credentials never reach any other path of the API server.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { safeAggregatedUrl } from '../core/contract/aggregated-api.ts';
import { decideRunKey, keepHeaders, urlWithKey, type RunKey } from '../core/contract/run-key.ts';
import { checkUserRequest, type RequestFacts } from '../core/contract/request-guard.ts';
import { optionText, UsageError } from './args.ts';
import { openBrowserPrivately } from './open-browser.ts';
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

/**
 * Whether the request shows the key (core/contract/run-key.ts). A first visit with `?furnace-key=` is
 * sent on to the key's host, which answers with the cookie and a page that moves on to the same URL
 * without the key.
 */
function admitKey(key: RunKey, req: IncomingMessage, res: ServerResponse): boolean {
  const decision = decideRunKey(key, {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    host: first(req.headers.host),
    cookie: first(req.headers.cookie),
    authorization: first(req.headers.authorization),
  });
  if (decision.kind === 'admit') return true;
  if (decision.kind === 'redirect') {
    res.writeHead(303, { location: decision.location, 'cache-control': 'no-store' }).end();
    return false;
  }
  if (decision.kind === 'keep') {
    res.writeHead(200, keepHeaders(decision)).end(decision.page);
    return false;
  }
  refuse(
    res,
    401,
    'open the URL that `kubectl furnace ui` printed: this forwarder answers only with its key',
  );
  return false;
}

async function forward(
  api: FurnaceApi,
  key: RunKey,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const refusal = checkUserRequest(requestFacts(req), { loopbackOnly: true });
  if (refusal) return refuse(res, refusal.status, refusal.message);
  if (!admitKey(key, req, res)) return;
  const target = safeAggregatedUrl(req.url ?? '/');
  if (target === undefined) return refuse(res, 404, `${req.url ?? ''} is not a Furnace UI path`);
  const body = await readAll(req);
  if (body.length > MAX_BODY) return refuse(res, 413, 'request body too large');
  const contentType = first(req.headers['content-type']);
  const answer = await api.send(req.method ?? 'GET', target, {
    raw: true,
    ...(body.length > 0 ? { body } : {}),
    headers: contentType ? { 'content-type': contentType } : {},
  });
  res.writeHead(answer.statusCode ?? 502, passedHeaders(answer));
  answer.pipe(res);
}

function requestFacts(req: IncomingMessage): RequestFacts {
  const facts: RequestFacts = { method: req.method ?? 'GET' };
  for (const [fact, header] of FACT_HEADERS) {
    const value = first(req.headers[header]);
    if (value !== undefined) facts[fact] = value;
  }
  return facts;
}

function passedHeaders(answer: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = first(answer.headers[name]);
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

export interface UiForwarder {
  /** The forwarder's origin, without the key. */
  url: string;
  key: RunKey;
  /** `path` on the forwarder with the key, as printed and opened. */
  withKey(path: string): string;
  server: Server;
}

export async function startUiForwarder(api: FurnaceApi, port: number): Promise<UiForwarder> {
  const key: RunKey = { value: randomBytes(32).toString('base64url'), cookie: '' };
  const server = createServer((req, res) => {
    forward(api, key, req, res).catch((error: unknown) => {
      if (!res.headersSent) refuse(res, 502, (error as Error).message);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  key.cookie = `furnace-ui-${bound}`;
  const url = `http://127.0.0.1:${bound}`;
  const withKey = (path: string): string => urlWithKey(url, path, key);
  return { url, key, withKey, server };
}

async function serve(context: VerbContext, page: string): Promise<number> {
  const text = optionText(context.parsed, 'port') ?? '0';
  if (!/^\d+$/.test(text) || Number(text) > 65535)
    throw new UsageError(`port ${JSON.stringify(text)} is not a port number (0 to 65535)`);
  const forwarder = await startUiForwarder(context.api(), Number(text));
  const url = forwarder.withKey(page);
  context.io.stdout.write(`Furnace UI at ${url} (through ${context.api().server}); Ctrl-C stops it\n`);
  const browser = context.parsed.options['no-browser'] !== true ? await openBrowserPrivately(url) : undefined;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      forwarder.server.close(() => resolve());
      forwarder.server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await browser?.close();
  return 0;
}

export const runUi = remoteVerb(VERBS.ui, (context) => serve(context, '/'));
export const runOpen = remoteVerb(VERBS.open, (context) =>
  serve(context, `/recordings/${encodeURIComponent(context.positionals[0] ?? '')}`),
);
