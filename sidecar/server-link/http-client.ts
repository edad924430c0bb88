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

/**
 * A `sendHttp` whose connections stay open between calls up to `idleMs` (node's default agent closes
 * them after 5 s idle): for calls every few seconds to the same server, such as continuous profiling's
 * plan polls, which then need neither a new connection nor a TLS handshake each. The server keeps an
 * idle connection longer (Fastify: 72 s), so it is the agent that closes it first.
 */
export function keepAliveSend(idleMs: number): HttpSend {
  const agents = {
    http: new http.Agent({ keepAlive: true, timeout: idleMs }),
    https: new https.Agent({ keepAlive: true, timeout: idleMs }),
  };
  return (request) => sendWith(request, (protocol) => agents[protocol]);
}

export const sendHttp: HttpSend = (request) => sendWith(request, () => undefined);

function sendWith(
  request: HttpRequest,
  agentFor: (protocol: 'http' | 'https') => http.Agent | undefined,
): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';
    const module = secure ? https : http;
    const options: https.RequestOptions = { method: request.method, headers: request.headers ?? {} };
    const agent = agentFor(secure ? 'https' : 'http');
    if (agent !== undefined) options.agent = agent;
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
}
