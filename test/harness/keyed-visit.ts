// A browser's first visit to a loopback listener's printed URL (core/contract/run-key.ts), step by step
// over node:http: Node does not resolve `*.localhost` names, so the second request goes to the same
// loopback address with the key's host in the Host header, as a browser's would.
import { request } from 'node:http';

export interface HttpAnswer {
  status: number;
  location: string | undefined;
  setCookie: string | undefined;
  /** Where the answer's page moves on to (its meta refresh), if it has one. */
  moveTo: string | undefined;
}

/** GET `url` without following redirects; `host` replaces the Host header. */
export function getOnce(url: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const cookie = res.headers['set-cookie'];
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location,
          setCookie: Array.isArray(cookie) ? cookie[0] : cookie,
          moveTo: /<meta http-equiv="refresh" content="0;url=([^"]*)">/
            .exec(body)?.[1]
            ?.replace(/&amp;/g, '&'),
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export interface KeyedVisit {
  /** The first answer: sent on to the key's host, key still in the URL, no cookie. */
  first: HttpAnswer;
  /** The answer on the key's host: the cookie, and a page that moves on to the address without the key. */
  second: HttpAnswer;
  /** The key's host, with the port. */
  keyHost: string;
}

/** Follows the printed `url` as a browser does, to the cookie on the key's own host. */
export async function visitKeyedUrl(url: string): Promise<KeyedVisit> {
  const first = await getOnce(url);
  const next = new URL(first.location ?? '', url);
  const printed = new URL(url);
  const second = await getOnce(`${printed.protocol}//${printed.host}${next.pathname}${next.search}`, {
    host: next.host,
  });
  return { first, second, keyHost: next.host };
}
