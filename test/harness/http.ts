// HTTP calls from tests to servers they started: JSON over fetch, and HTTPS trusting a test CA.
import { request } from 'node:https';

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

/** An HTTPS request that trusts only the given CA (fetch cannot be given one); the body as text. */
export function httpsCall(
  url: string,
  ca: string,
  options: HttpsCallOptions = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', ca, headers: options.headers ?? {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
