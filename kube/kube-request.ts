// One raw request to the API server with the kubeconfig's credentials. The operator's apply layer needs
// what the generated clients do not give for every kind alike (server-side apply of any resource, the
// status subresource of custom resources, deletion by path), and the CLI calls the aggregated API.
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { FurnaceError } from '../core/contract/errors.ts';

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

/** `path` (which may carry a query) on the API server, keeping any path prefix of the server's URL. */
export function apiServerUrl(server: string, path: string): URL {
  return new URL(`${server.replace(/\/$/, '')}${path}`);
}

export interface KubeSendOptions {
  method: string;
  /** The path below the API server's URL, with its query if any. */
  path: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: Buffer | string | undefined;
  /** Abandon the request when the socket is idle this long. */
  timeoutMs?: number;
}

/**
 * The connections to API servers that this process keeps open between requests. client-node's agent for a
 * kubeconfig opens a new connection for every request (an `https.Agent` without keep-alive), so each request
 * paid a TLS handshake on both ends and a fresh TLS context built from the kubeconfig's certificates: four
 * fifths of a request's CPU here and two fifths of the API server's (npm run bench:kube-requests). One pool
 * per process is enough: an agent keeps a connection for the name it computes from a request's TLS options
 * (the CA, the client certificate and key, the server name), so requests with other credentials never share
 * one. A kept connection holds no reference that keeps the process alive.
 */
const keptAlive = {
  'http:': new HttpAgent({ keepAlive: true }),
  'https:': new HttpsAgent({ keepAlive: true }),
};

/** Another request on a kept connection failed this way: the API server closed it as the request went out. */
function closedUnderneath(req: ClientRequest, error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE');
}

/**
 * Sends one request to the kubeconfig's current cluster with its credentials, whatever they are (client
 * certificate, token, exec plugin); the answer streams. The operator's applier and the CLI's verbs both
 * go through here. The connection is kept for the next request unless the cluster is reached through a
 * proxy (client-node's proxy agent then carries it); a request that finds its kept connection closed by
 * the API server goes out once more on a connection of its own, since nothing of it was answered.
 */
export async function sendWithKubeConfig(
  kubeConfig: KubeConfig,
  options: KubeSendOptions,
): Promise<IncomingMessage> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new FurnaceError('ERR_UNAVAILABLE', 'the kubeconfig names no current cluster');
  const url = apiServerUrl(cluster.server, options.path);
  const requestOptions: RequestOptions = { method: options.method, headers: { ...options.headers } };
  await kubeConfig.applyToHTTPSOptions(requestOptions);
  const plain = url.protocol === 'http:';
  if (!cluster.proxyUrl) requestOptions.agent = plain ? keptAlive['http:'] : keptAlive['https:'];
  const send = plain ? httpRequest : httpsRequest;
  const once = (fresh: boolean) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const agent = fresh && !cluster.proxyUrl ? false : requestOptions.agent;
      const req = send(url, { ...requestOptions, agent, timeout: options.timeoutMs }, resolve);
      req.on('timeout', () => req.destroy(new Error(`${options.method} ${options.path} timed out`)));
      req.on('error', (error) =>
        reject(closedUnderneath(req, error) ? new ReusedConnectionClosed(error) : error),
      );
      req.end(options.body);
    });
  try {
    return await once(false);
  } catch (error) {
    if (!(error instanceof ReusedConnectionClosed)) throw error;
    return once(true);
  }
}

class ReusedConnectionClosed extends Error {
  constructor(cause: unknown) {
    super((cause as Error).message, { cause });
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function withQuery(path: string, query: KubeRequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(name, value);
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

async function readBounded(res: IncomingMessage, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > MAX_ANSWER_BYTES) {
      res.destroy();
      throw new Error(`answer of ${what} too large`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function createKubeRequest(kubeConfig: KubeConfig): KubeRequest {
  return async (options) => {
    const payload =
      options.body === undefined
        ? undefined
        : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload) {
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const res = await sendWithKubeConfig(kubeConfig, {
      method: options.method,
      path: withQuery(options.path, options.query),
      headers,
      body: payload,
      timeoutMs: 30_000,
    });
    const text = (await readBounded(res, options.path)).toString('utf8');
    return { status: res.statusCode ?? 0, body: parseBody(text) };
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
