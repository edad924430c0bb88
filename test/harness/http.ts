// HTTP calls from tests to servers they started: JSON over fetch, HTTPS trusting a test CA, and HTTPS to
// a sidecar trusting only the key it pinned at registration.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tlsPinOf } from '../../core/tls-pin.ts';

export interface JsonAnswer<T> {
  status: number;
  /** The parsed body; undefined when the body is empty. */
  body: T;
}

/** fetch, with the answer's body parsed as JSON. */
export async function fetchJson<T>(url: string, init?: RequestInit): Promise<JsonAnswer<T>> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export interface HttpsCallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

type TextAnswer = { status: number; body: string; headers: IncomingHttpHeaders };

/** Reads the whole answer as text. */
function readText(res: IncomingMessage, resolve: (answer: TextAnswer) => void): void {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (body += chunk));
  res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
}

/** An HTTPS request that trusts only the given CA (fetch cannot be given one); the body as text. */
export function httpsCall(url: string, ca: string, options: HttpsCallOptions = {}): Promise<TextAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', ca, headers: options.headers ?? {} }, (res) =>
      readText(res, resolve),
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** httpsCall as the bearer of token, with a JSON body if there is one. */
export function bearerCall(
  url: string,
  ca: string,
  token: string,
  method = 'GET',
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<TextAnswer> {
  const headers: Record<string, string> = { ...extraHeaders, authorization: `Bearer ${token}` };
  if (body === undefined) return httpsCall(url, ca, { method, headers });
  headers['content-type'] = 'application/json';
  return httpsCall(url, ca, { method, headers, body: JSON.stringify(body) });
}

/** An HTTPS call that trusts the peer only with the pinned key, as the server's proxy does. */
export function callPinned(url: string, pin: string, options: HttpsCallOptions = {}): Promise<TextAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerX509Certificate();
        if (!peer || tlsPinOf(peer.publicKey) !== pin) {
          res.destroy();
          reject(new Error(`${url} presented a key other than the one registered`));
          return;
        }
        readText(res, resolve);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The body of an HTTPS GET as the bearer of token, trusting ca, as bytes (a download). */
export function bearerBytes(
  url: string,
  ca: string,
  token: string,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
