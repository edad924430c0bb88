// One GET of a pprof endpoint into a file: bounded in time and size, abortable, over HTTP or HTTPS with an
// optional client certificate (mTLS, as etcd asks for). Every failure says which endpoint and why, a TLS
// handshake failure as such.
import { createWriteStream } from 'node:fs';
import { STATUS_CODES, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

export interface TlsMaterial {
  /** PEM of the CA that signs the target's certificate; the system's CAs when absent. */
  ca?: string;
  /** PEM client certificate and key, for targets that require one. */
  cert?: string;
  key?: string;
  /** The name the target's certificate must carry; default the host connected to. */
  serverName?: string;
}

export interface PprofFetch {
  url: string;
  tls?: TlsMaterial;
  timeoutMs: number;
  maxBytes: number;
  /** Where the body goes; nothing is kept in memory. */
  file: string;
  signal?: AbortSignal;
}

export class PprofFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PprofFetchError';
  }
}

const TLS_ERROR =
  /SSL|TLS|CERT|certificate|handshake|self.signed|UNABLE_TO|DEPTH_ZERO|ERR_TLS|alert|EPROTO|socket hang up|ECONNRESET/i;

/** OpenSSL's reason out of its error line (`…:SSL routines:func:reason:file:line:…`), else the message. */
function tlsReason(message: string): string {
  const reason = /SSL routines:[^:]*:([^:]+):/.exec(message)?.[1];
  return (reason ?? message).replace(/\s+/g, ' ').trim();
}

/** What went wrong, in words that name the endpoint; handshake failures say so and keep OpenSSL's reason. */
export function describeFetchError(url: string, error: NodeJS.ErrnoException, tls: boolean): string {
  const code = error.code === undefined ? '' : ` (${error.code})`;
  if (error.code === 'ECONNREFUSED') return `nothing listens at ${url}: connection refused`;
  if (tls && TLS_ERROR.test(`${error.code ?? ''} ${error.message}`))
    return `TLS handshake with ${url} failed: ${tlsReason(error.message)}${code}`;
  return `GET ${url} failed: ${error.message}${code}`;
}

function checkName(serverName: string | undefined) {
  return serverName === undefined
    ? undefined
    : (_host: string, cert: PeerCertificate) => checkServerIdentity(serverName, cert);
}

/** A pass-through that fails once more than `max` bytes went by. */
function capped(max: number, url: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > max)
        done(new PprofFetchError(`${url} sent more than the ${max} bytes allowed for a profile`));
      else done(null, chunk);
    },
  });
}

function get(fetch: PprofFetch): Promise<IncomingMessage> {
  const https = fetch.url.startsWith('https:');
  const tls = fetch.tls ?? {};
  return new Promise((resolve, reject) => {
    const options = {
      method: 'GET',
      timeout: fetch.timeoutMs,
      ...(fetch.signal === undefined ? {} : { signal: fetch.signal }),
      ...(https
        ? {
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            ...(tls.serverName === undefined ? {} : { checkServerIdentity: checkName(tls.serverName) }),
          }
        : {}),
    };
    const request = (https ? httpsRequest : httpRequest)(fetch.url, options, resolve);
    request.setTimeout(fetch.timeoutMs, () =>
      request.destroy(new PprofFetchError(`${fetch.url} did not answer within ${fetch.timeoutMs} ms`)),
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof PprofFetchError || error.name === 'AbortError') reject(error);
      else reject(new PprofFetchError(describeFetchError(fetch.url, error, https)));
    });
    request.end();
  });
}

/** GETs the URL into the file; resolves with its size, rejects with a PprofFetchError naming the endpoint. */
export async function fetchPprof(fetch: PprofFetch): Promise<number> {
  const response = await get(fetch);
  if (response.statusCode !== 200) {
    // Only the status: the body is whatever the pod serves on that port (another app's page, a secret),
    // and the recording's error is shown to everyone who may view the namespace.
    response.destroy();
    const status = response.statusCode ?? 0;
    throw new PprofFetchError(
      `${fetch.url} answered ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd() +
        ' instead of a pprof profile: check pprof.port and pprof.path',
    );
  }
  const declared = Number(response.headers['content-length'] ?? Number.NaN);
  if (declared > fetch.maxBytes) {
    response.destroy();
    throw new PprofFetchError(`${fetch.url} sent ${declared} bytes, more than the ${fetch.maxBytes} allowed`);
  }
  let bytes = 0;
  response.on('data', (chunk: Buffer) => (bytes += chunk.length));
  try {
    await pipeline(response, capped(fetch.maxBytes, fetch.url), createWriteStream(fetch.file), {
      ...(fetch.signal === undefined ? {} : { signal: fetch.signal }),
    });
  } catch (error) {
    if (error instanceof PprofFetchError || (error as Error).name === 'AbortError') throw error;
    throw new PprofFetchError(describeFetchError(fetch.url, error as NodeJS.ErrnoException, false));
  }
  return bytes;
}

/** A small GET whose text is wanted (the probe of `auto`): status and the body's first `maxChars`. */
export async function fetchText(
  url: string,
  tls: TlsMaterial | undefined,
  timeoutMs: number,
  maxChars = 64 * 1024,
): Promise<{ status: number; text: string }> {
  const response = await get({ url, timeoutMs, maxBytes: maxChars, file: '', ...(tls ? { tls } : {}) });
  let text = '';
  for await (const chunk of response) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length >= maxChars) break;
  }
  response.destroy();
  return { status: response.statusCode ?? 0, text: text.slice(0, maxChars) };
}
