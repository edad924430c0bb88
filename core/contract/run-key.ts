// A loopback listener's key: `kubectl furnace ui`'s forwarder and `npm start`'s local mode answer only a
// caller who shows it, so another user or process of the machine cannot use them. The printed URL
// carries the key once (`?furnace-key=`); the browser then keeps it in an HttpOnly, SameSite=Strict
// cookie named by the port (browsers share cookies across the ports of one host). Scripts may send it as
// `Authorization: Bearer <key>`. Pure: both listeners feed it the request's parts.
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
  cookie?: string | undefined;
  authorization?: string | undefined;
}

export type KeyDecision =
  | { kind: 'admit' }
  /** A first visit with the key in the URL: keep it in the cookie and drop it from the address bar. */
  | { kind: 'redirect'; location: string; setCookie: string }
  | { kind: 'refuse' };

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
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
  url.searchParams.delete(KEY_PARAMETER);
  return {
    kind: 'redirect',
    location: `${url.pathname}${url.search}`,
    setCookie: `${key.cookie}=${key.value}; Path=/; HttpOnly; SameSite=Strict`,
  };
}

/** `path` on `origin` with the key in the query, as a listener prints it. */
export function urlWithKey(origin: string, path: string, key: RunKey): string {
  const target = new URL(path, origin);
  target.searchParams.set(KEY_PARAMETER, key.value);
  return target.toString();
}
