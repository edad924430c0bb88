// A small HTTP(S) client on node:http, so a private CA (FURNACE_SERVER_CA) can be trusted per request.
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer | Readable;
  /** PEM of a CA to trust for HTTPS in addition to nothing else. */
  ca?: string;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  body: string;
}

export type HttpSend = (request: HttpRequest) => Promise<HttpResponse>;

export const sendHttp: HttpSend = (request) =>
  new Promise<HttpResponse>((resolve, reject) => {
    const url = new URL(request.url);
    const module = url.protocol === 'https:' ? https : http;
    const options: https.RequestOptions = { method: request.method, headers: request.headers ?? {} };
    if (request.ca !== undefined && url.protocol === 'https:') options.ca = request.ca;
    const req = module.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.setTimeout(request.timeoutMs ?? 30_000, () =>
      req.destroy(new Error(`${request.method} ${url.origin}${url.pathname} timed out`)),
    );
    req.on('error', reject);
    const body = request.body;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
      req.end(body);
    } else {
      body.on('error', (error) => req.destroy(error));
      body.pipe(req);
    }
  });
