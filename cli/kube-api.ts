// Calls to Furnace through the Kubernetes API server, as the kubeconfig's user: @kubernetes/client-node
// loads the kubeconfig (KUBECONFIG, --kubeconfig, --context) and applies its credentials, whatever they
// are (client certificate, token, exec plugin), to each request. Paths are aggregated API paths.
// The library is loaded only when a verb connects (`loadKubeConfigClass`): `--help` and usage errors
// start without it (it costs about a second of start-up).
import { existsSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { AGGREGATED_PREFIX } from '../core/contract/aggregated-api.ts';
import { sendWithKubeConfig } from '../kube/kube-request.ts';

export interface Connection {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
}

/** The kubeconfig loader of @kubernetes/client-node, passed in once loaded. */
export type KubeConfigClass = new () => KubeConfig;

/** Loads @kubernetes/client-node, which only a verb that connects needs. */
export async function loadKubeConfigClass(): Promise<KubeConfigClass> {
  return (await import('@kubernetes/client-node')).KubeConfig;
}

export interface FurnaceApi {
  /** The namespace of the kubeconfig's context (kubectl's default), `default` without one. */
  namespace: string;
  /** The API server's URL, for messages. */
  server: string;
  /** A call under the aggregated prefix; the answer streams. */
  send(method: string, path: string, options?: SendOptions): Promise<IncomingMessage>;
  /** A call whose answer is read whole and parsed as JSON; a non-2xx answer throws ApiError. */
  json<T>(method: string, path: string, body?: unknown, headers?: IncomingHttpHeaders): Promise<T>;
}

export interface SendOptions {
  body?: Buffer | string;
  headers?: IncomingHttpHeaders;
  /** A path used as it is, not under the aggregated prefix. */
  raw?: boolean;
  /** Give up when the connection is idle this long (a status read that waits); 30 s by default with --server. */
  timeoutMs?: number;
}

/** A refusal or failure the server (or the API server) answered; `message` is theirs. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

const NO_KUBECONFIG =
  'no kubeconfig: set KUBECONFIG or pass --kubeconfig to reach Furnace in a cluster, or --server http://127.0.0.1:8080 for a local Furnace (npm start)';

/**
 * Whether kubectl would find a kubeconfig without --kubeconfig: $KUBECONFIG, ~/.kube/config, or a pod's
 * service account. Without one, client-node would quietly try http://localhost:8080 and fail seconds later.
 */
export function hasDefaultKubeconfig(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.KUBECONFIG) return true;
  const home = env.HOME ?? homedir();
  if (existsSync(join(home, '.kube', 'config'))) return true;
  return (
    env.KUBERNETES_SERVICE_HOST !== undefined &&
    existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')
  );
}

/** Loads the kubeconfig as kubectl would. Throws with the reason when there is none or the context is unknown. */
export function loadKubeConfig(connection: Connection, KubeConfigImpl: KubeConfigClass): KubeConfig {
  const kc = new KubeConfigImpl();
  const file = connection.kubeconfig;
  if (!file && !hasDefaultKubeconfig(connection.env)) throw new Error(NO_KUBECONFIG);
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  if (connection.context) {
    if (!kc.getContextObject(connection.context))
      throw new Error(`context ${connection.context} is not in the kubeconfig`);
    kc.setCurrentContext(connection.context);
  }
  if (!kc.getCurrentCluster())
    throw new Error('the kubeconfig names no cluster (set KUBECONFIG or --kubeconfig)');
  return kc;
}

export async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The message of an error answer: Furnace's `{code, message}`, the API server's Status `{message}`, or the text. */
export function errorMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; code?: unknown };
    if (typeof parsed.message === 'string' && parsed.message !== '') return parsed.message;
  } catch {
    // not JSON: the text itself
  }
  const text = body.trim();
  return text === '' ? `the server answered ${status} without a message` : text.slice(0, 2000);
}

/** The body and headers of a JSON call. */
export function jsonRequest(body: unknown, headers: IncomingHttpHeaders = {}): SendOptions {
  if (body === undefined) return { headers };
  return { body: JSON.stringify(body), headers: { ...headers, 'content-type': 'application/json' } };
}

export function createFurnaceApi(connection: Connection, KubeConfigImpl: KubeConfigClass): FurnaceApi {
  const kc = loadKubeConfig(connection, KubeConfigImpl);
  const cluster = kc.getCurrentCluster();
  const server = cluster?.server ?? '';
  const context = kc.getContextObject(kc.getCurrentContext());
  const api: FurnaceApi = {
    namespace: context?.namespace ?? 'default',
    server,
    async send(method, path, options = {}) {
      const headers = { accept: 'application/json, */*', ...options.headers };
      const target = `${options.raw ? '' : AGGREGATED_PREFIX}${path}`;
      try {
        const { body, timeoutMs } = options;
        return await sendWithKubeConfig(kc, { method, path: target, headers, body, timeoutMs });
      } catch (error) {
        throw new Error(`could not reach the API server at ${server}: ${(error as Error).message}`);
      }
    },
    async json<T>(method: string, path: string, body?: unknown, headers?: IncomingHttpHeaders): Promise<T> {
      const answer = await api.send(method, path, jsonRequest(body, headers));
      const text = (await readAll(answer)).toString('utf8');
      const status = answer.statusCode ?? 0;
      if (status < 200 || status > 299) throw new ApiError(status, errorMessage(status, text));
      return JSON.parse(text) as T;
    },
  };
  return api;
}
