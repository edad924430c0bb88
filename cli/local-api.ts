// `--server URL`: the verbs talk to a Furnace server directly instead of through the Kubernetes API server,
// as a local Furnace (`npm start`) is reached. Aggregated paths are mapped onto the server's own API
// (fromAggregatedUrl, as the server itself maps them); the key goes as a bearer token: FURNACE_KEY, else
// the file --key-file names, else `.furnace-data/local-key` when it is here (npm start's default).
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { AGGREGATED_PREFIX, fromAggregatedUrl } from '../core/contract/aggregated-api.ts';
import { LOCAL_NAMESPACE } from '../core/contract/names.ts';
import {
  ApiError,
  errorMessage,
  jsonRequest,
  readAll,
  type FurnaceApi,
  type SendOptions,
} from './kube-api.ts';

export const DEFAULT_KEY_FILE = '.furnace-data/local-key';

export interface LocalConnection {
  server: string;
  keyFile?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
}

/** The bearer key, or undefined when none is given and npm start's default file is not here. */
export function readKey(connection: LocalConnection): string | undefined {
  const fromEnv = connection.env.FURNACE_KEY?.trim();
  if (fromEnv) return fromEnv;
  const file = connection.keyFile ?? DEFAULT_KEY_FILE;
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (error) {
    if (connection.keyFile === undefined) return undefined;
    throw new Error(`--key-file ${file} cannot be read: ${(error as Error).message}`);
  }
}

function serverUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--server ${text} is not a URL (for example http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`--server ${text} must be an http:// or https:// URL`);
  return url;
}

/** `method` `path` on the server at `base`, with the local key when there is one. */
function send(
  server: { base: URL; key: string | undefined },
  method: string,
  path: string,
  options: SendOptions,
) {
  const { base, key } = server;
  const target = options.raw ? path : fromAggregatedUrl(`${AGGREGATED_PREFIX}${path}`);
  if (target === undefined) throw new Error(`${path} has no counterpart on a Furnace server`);
  const url = new URL(target, base);
  const headers = {
    accept: 'application/json, */*',
    ...options.headers,
    ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const timeout = options.timeoutMs ?? 30_000;
    const call = request(url, { method, headers, timeout }, resolve);
    call.on('timeout', () => call.destroy(new Error(`no answer within ${timeout / 1000} s`)));
    call.on('error', (error) =>
      reject(new Error(`could not reach the Furnace server at ${base.origin}: ${error.message}`)),
    );
    call.end(options.body);
  });
}

export function createLocalApi(connection: LocalConnection): FurnaceApi {
  const base = serverUrl(connection.server);
  const key = readKey(connection);
  const api: FurnaceApi = {
    namespace: LOCAL_NAMESPACE,
    server: base.origin,
    send: (method, path, options = {}) => send({ base, key }, method, path, options),
    async json<T>(method: string, path: string, body?: unknown, headers?: IncomingHttpHeaders): Promise<T> {
      const answer = await api.send(method, path, jsonRequest(body, headers));
      const text = (await readAll(answer)).toString('utf8');
      const status = answer.statusCode ?? 0;
      if (status === 401 && key === undefined)
        throw new ApiError(
          status,
          `${errorMessage(status, text)} (no key: set FURNACE_KEY, or --key-file the server's <data dir>/local-key)`,
        );
      if (status < 200 || status > 299) throw new ApiError(status, errorMessage(status, text));
      return JSON.parse(text) as T;
    },
  };
  return api;
}
