// One raw request to the API server with the kubeconfig's credentials. The apply layer needs what the
// generated clients do not give for every kind alike: server-side apply of any resource, the status
// subresource of custom resources, and deletion by path.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { FurnaceError } from '../core/errors.ts';

export interface KubeAnswer {
  status: number;
  body: unknown;
}

export interface KubeRequestOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
}

export type KubeRequest = (options: KubeRequestOptions) => Promise<KubeAnswer>;

/** Answers above this size are refused: the operator reads its own objects, never whole clusters. */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

function urlOf(server: string, options: KubeRequestOptions): URL {
  const url = new URL(options.path, server.endsWith('/') ? server : `${server}/`);
  url.pathname = `${new URL(server).pathname.replace(/\/$/, '')}${options.path}`;
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function createKubeRequest(kubeConfig: KubeConfig): KubeRequest {
  return async (options) => {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new FurnaceError('ERR_UNAVAILABLE', 'the kubeconfig names no current cluster');
    const url = urlOf(cluster.server, options);
    const requestOptions: RequestOptions = {
      method: options.method,
      headers: { accept: 'application/json' },
    };
    await kubeConfig.applyToHTTPSOptions(requestOptions);
    const payload =
      options.body === undefined
        ? undefined
        : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    const headers = requestOptions.headers as Record<string, string>;
    if (payload) {
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<KubeAnswer>((resolve, reject) => {
      const req = send(url, { ...requestOptions, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(new Error(`answer of ${options.path} too large`));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            body: parseBody(Buffer.concat(chunks).toString('utf8')),
          });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${options.method} ${options.path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  };
}

/** The API server's own message of a failed answer (a Status object), else the status code. */
export function describeAnswer(answer: KubeAnswer): string {
  const body = answer.body;
  if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string')
    return `${answer.status}: ${body.message}`;
  return String(answer.status);
}

/** An error that keeps the HTTP status as `code`, like client-node's ApiException. */
export class KubeRequestError extends Error {
  readonly code: number;
  constructor(what: string, answer: KubeAnswer) {
    super(`${what}: ${describeAnswer(answer)}`);
    this.name = 'KubeRequestError';
    this.code = answer.status;
  }
}
