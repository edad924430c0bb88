// A `fetch` for GETs of the server's recorder listener: the recorder's current token as a bearer, the CA
// the recorder trusts for the server (FURNACE_SERVER_CA, re-read each time) and nothing else, and the
// answer's body as a stream. The debuginfod client (symbols/debuginfod-client.ts) takes it as its `fetch`,
// so a namespace's uploaded symbol files are fetched, capped and checked exactly as a debuginfod answer is.
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

export interface ServerFetchDeps {
  /** The bearer token (an upload token, an agent's grant); undefined: not registered yet. */
  token(): string | undefined;
  /** The CA to trust for HTTPS; undefined: the system's roots. */
  readCa(): Promise<string | undefined>;
}

export function serverFetch(deps: ServerFetchDeps): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const token = deps.token();
    if (token === undefined) throw new Error('not registered with the server yet');
    const ca = url.protocol === 'https:' ? await deps.readCa() : undefined;
    const module = url.protocol === 'https:' ? https : http;
    const headers = {
      ...(init?.headers as Record<string, string> | undefined),
      authorization: `Bearer ${token}`,
    };
    return await new Promise<Response>((resolve, reject) => {
      const request = module.request(
        url,
        {
          method: 'GET',
          headers,
          ...(ca === undefined ? {} : { ca }),
          ...(init?.signal ? { signal: init.signal } : {}),
        },
        (answer) => {
          const status = answer.statusCode ?? 502;
          const names = Object.entries(answer.headers).flatMap(([name, value]) =>
            value === undefined
              ? []
              : [[name, Array.isArray(value) ? value.join(', ') : value] as [string, string]],
          );
          // A body-less status (204, 304) takes no stream.
          const body =
            status === 204 || status === 304 ? null : (Readable.toWeb(answer) as ReadableStream<Uint8Array>);
          resolve(new Response(body, { status, headers: names }));
        },
      );
      request.on('error', reject);
      request.end();
    });
  };
}
