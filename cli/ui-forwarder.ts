// `furnace ui` and `furnace open ID`: a loopback HTTP listener that forwards the web UI's requests to
// Furnace through the API server (aggregated API) with the kubeconfig's credentials. The listener holds
// those credentials, so:
// - it answers only a caller who shows this run's random key: the URL it prints and opens carries it once,
//   and the browser keeps it as an HttpOnly cookie; another local user or process does not know it;
// - it answers only loopback Host headers and the browser's same-origin requests (the server's own
//   local-mode rules, core/contract/request-guard.ts): another web page cannot use it;
// - it forwards only paths that map onto the aggregated API with no segment that could climb out of it
//   (`safeAggregatedUrl`), so the credentials never reach any other path of the API server.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { safeAggregatedUrl } from '../core/contract/aggregated-api.ts';
import { sameSecret } from '../core/contract/http-errors.ts';
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

/** The query parameter of the printed URL that carries the key once. */
export const KEY_PARAMETER = 'furnace-key';

export interface ForwarderKey {
  value: string;
  /** The cookie the browser keeps it in; named by the port, as cookies are shared across ports. */
  cookie: string;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/**
 * Whether the request shows the key. A first visit with `?furnace-key=` is answered with the cookie and a
 * redirect to the same URL without the key, so the key leaves the address bar and the history.
 */
function admitKey(key: ForwarderKey, req: IncomingMessage, res: ServerResponse): boolean {
  const given = cookieValue(first(req.headers.cookie), key.cookie);
  if (given !== undefined && sameSecret(given, key.value)) return true;
  const url = new URL(req.url ?? '/', 'http://forwarder.invalid');
  const inQuery = url.searchParams.get(KEY_PARAMETER);
  if (inQuery !== null && sameSecret(inQuery, key.value) && req.method === 'GET') {
    url.searchParams.delete(KEY_PARAMETER);
    res
      .writeHead(303, {
        location: `${url.pathname}${url.search}`,
        'set-cookie': `${key.cookie}=${key.value}; Path=/; HttpOnly; SameSite=Strict`,
        'cache-control': 'no-store',
      })
      .end();
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
  key: ForwarderKey,
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
  key: ForwarderKey;
  /** `path` on the forwarder with the key, as printed and opened. */
  withKey(path: string): string;
  server: Server;
}

export async function startUiForwarder(api: FurnaceApi, port: number): Promise<UiForwarder> {
  const key: ForwarderKey = { value: randomBytes(32).toString('base64url'), cookie: '' };
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
  const withKey = (path: string): string => {
    const target = new URL(path, url);
    target.searchParams.set(KEY_PARAMETER, key.value);
    return target.toString();
  };
  return { url, key, withKey, server };
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
  const url = forwarder.withKey(page);
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
