// A loopback listener's key: `kubectl furnace ui`'s forwarder and `npm start`'s local mode answer only a
// caller who shows it, so another user or process of the machine cannot use them. Scripts send it as
// `Authorization: Bearer <key>`. A browser brings it once in the URL (`?furnace-key=`) and then keeps it
// in an HttpOnly, SameSite=Strict cookie. Browsers send a host's cookies to every port of that host, so
// the cookie is never set on 127.0.0.1 or localhost (another user's server on another loopback port would
// receive it): the first visit is sent on to the key's own host, `f<hash of the key>.localhost`, which
// browsers resolve to loopback themselves and which nobody without the key can name, and the cookie is
// set there. Pure: both listeners feed it the request's parts.
import { createHash } from 'node:crypto';
import { sameSecret } from './http-errors.ts';

/** The query parameter of the printed URL that carries the key once. */
export const KEY_PARAMETER = 'furnace-key';

export interface RunKey {
  value: string;
  /** The cookie the browser keeps it in. */
  cookie: string;
}

export interface KeyedRequest {
  method: string;
  /** The request target: path and query. */
  url: string;
  /** The Host header. */
  host?: string | undefined;
  cookie?: string | undefined;
  authorization?: string | undefined;
}

export type KeyDecision =
  | { kind: 'admit' }
  /** A first visit with the key in the URL, on another host: sent on to the key's host, key kept. */
  | { kind: 'redirect'; location: string }
  /**
   * A first visit with the key in the URL, on the key's host: the key goes into the cookie, and a page
   * of this host sends the browser on to `location` (the address without the key). Not a redirect: a
   * visit that began elsewhere (a file, another site) stays cross-site through its redirects, and the
   * browser would then withhold the SameSite=Strict cookie from the page it lands on.
   */
  | { kind: 'keep'; location: string; setCookie: string; page: string }
  | { kind: 'refuse' };

/**
 * The host name a browser keeps the key's cookie for: under `.localhost` (loopback by RFC 6761, resolved
 * by browsers without DNS), derived from the key so that it survives a restart with the same key and
 * tells nothing about the key itself.
 */
export function keyHost(key: Pick<RunKey, 'value'>): string {
  const digest = createHash('sha256').update(`furnace-key-host:${key.value}`).digest('hex');
  return `f${digest.slice(0, 24)}.localhost`;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

/** Name and port of a Host header (`name[:port]` or `[v6][:port]`), lower-cased. */
function splitHost(host: string | undefined): { name: string; port: string } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec((host ?? '').trim().toLowerCase());
  if (!match?.[1]) return undefined;
  return { name: match[1], port: match[2] ?? '' };
}

/** Whether the request shows the key, and what to answer when it shows it only in the URL. */
export function decideRunKey(key: RunKey, request: KeyedRequest): KeyDecision {
  const cookie = cookieValue(request.cookie, key.cookie);
  if (cookie !== undefined && sameSecret(cookie, key.value)) return { kind: 'admit' };
  const bearer = /^Bearer ([A-Za-z0-9_-]+)$/.exec(request.authorization ?? '')?.[1];
  if (bearer !== undefined && sameSecret(bearer, key.value)) return { kind: 'admit' };
  const url = new URL(request.url, 'http://listener.invalid');
  const inQuery = url.searchParams.get(KEY_PARAMETER);
  if (inQuery === null || request.method !== 'GET' || !sameSecret(inQuery, key.value))
    return { kind: 'refuse' };
  const host = splitHost(request.host);
  const own = keyHost(key);
  if (host === undefined) return { kind: 'refuse' };
  if (host.name !== own) {
    const port = host.port === '' ? '' : `:${host.port}`;
    return { kind: 'redirect', location: `http://${own}${port}${url.pathname}${url.search}` };
  }
  url.searchParams.delete(KEY_PARAMETER);
  const location = `${url.pathname}${url.search}`;
  return {
    kind: 'keep',
    location,
    // No Domain attribute: a host-only cookie, sent to the key's host and nowhere else.
    setCookie: `${key.cookie}=${key.value}; Path=/; HttpOnly; SameSite=Strict`,
    page: landingPage(location),
  };
}

const escapeAttribute = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The page that moves on to `location` on the same host, with no script (the UI's CSP allows none inline). */
function landingPage(location: string): string {
  const target = escapeAttribute(location);
  return `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${target}"><title>Furnace</title><p><a href="${target}">Open the Furnace UI</a></p>\n`;
}

/** The headers of the `keep` answer (status 200). */
export function keepHeaders(decision: { setCookie: string }): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'set-cookie': decision.setCookie,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  };
}

/** `path` on `origin` with the key in the query, as a listener prints it. */
export function urlWithKey(origin: string, path: string, key: Pick<RunKey, 'value'>): string {
  const target = new URL(path, origin);
  target.searchParams.set(KEY_PARAMETER, key.value);
  return target.toString();
}
