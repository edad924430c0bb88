// The UI's only way to the server: its HTTP API on the same origin. Errors keep the server's code,
// message and the field it named, so the page can show them next to that field.

/** What an ApiError names besides its status, code and message. */
export interface ApiErrorNamed {
  /** The request field the server named (details.field). */
  field?: string;
  details?: Readonly<Record<string, unknown>>;
}

export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached at all. */
  readonly status: number;
  readonly code: string;
  /** The request field the server named (details.field), if any. */
  readonly field: string | undefined;
  /** The error's details as the server gave them (`id` of the recording that runs, for a 409). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(status: number, code: string, message: string, named: ApiErrorNamed = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = named.field;
    this.details = named.details ?? {};
  }
}

export const UNREACHABLE = 'ERR_UNREACHABLE';

function errorFrom(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown; details?: unknown };
    const code = typeof body.code === 'string' ? body.code : `HTTP_${status}`;
    const message = typeof body.message === 'string' ? body.message : `the server answered ${status}`;
    const details =
      typeof body.details === 'object' && body.details !== null && !Array.isArray(body.details)
        ? (body.details as Record<string, unknown>)
        : {};
    const field = typeof details.field === 'string' ? details.field : undefined;
    return new ApiError(status, code, message, { field, details });
  } catch {
    return new ApiError(
      status,
      `HTTP_${status}`,
      text.trim().slice(0, 500) || `the server answered ${status}`,
    );
  }
}

/** A request's optional parts: its JSON body, what aborts it, and headers added to the usual ones. */
interface SendOptions {
  body?: unknown;
  signal?: AbortSignal | undefined;
  headers?: Record<string, string> | undefined;
}

async function send(method: string, path: string, options: SendOptions = {}): Promise<Response> {
  const { body, signal, headers = {} } = options;
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...headers },
  };
  if (signal) init.signal = signal;
  // State-changing calls always carry a JSON body and its content type: a cross-site form cannot.
  if (method !== 'GET' && method !== 'HEAD') {
    init.headers = { accept: 'application/json', 'content-type': 'application/json', ...headers };
    init.body = JSON.stringify(body ?? {});
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, UNREACHABLE, 'the Furnace server cannot be reached');
  }
  if (!response.ok) throw errorFrom(response.status, await response.text());
  return response;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await send('GET', path, { signal })).json()) as T;
}

/** Streams a text answer to `onChunk` as it arrives (decoded as UTF-8 across chunk boundaries). */
export async function readText(
  path: string,
  onChunk: (chunk: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const response = await send('GET', path, { signal });
  if (!response.body) {
    onChunk(await response.text());
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  for (let part = await reader.read(); !part.done; part = await reader.read()) {
    onChunk(decoder.decode(part.value, { stream: true }));
  }
  onChunk(decoder.decode());
}

/** Thrown when an answer is larger than the caller reads: it stopped reading there. */
export const TOO_LARGE = 'ERR_TOO_LARGE';

/** All of a stream's bytes, or ApiError TOO_LARGE as soon as they pass maxBytes (the rest is never read). */
async function readAtMost(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  what: string,
): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let part = await reader.read(); !part.done; part = await reader.read()) {
    size += part.value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new ApiError(
        0,
        TOO_LARGE,
        `${what} inflates to more than ${maxBytes} bytes; the viewer stopped there`,
      );
    }
    chunks.push(part.value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * The bytes of a gzipped file (an artifact stored compressed), inflated: by the browser when the server
 * sent them gzip-encoded (off the page's thread), else here as they arrive. Either way no more than
 * maxBytes are inflated: a file that inflates further (a gzip bomb) is ApiError TOO_LARGE.
 */
export async function getGzippedBytes(
  path: string,
  maxBytes: number,
  what: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const response = await send('GET', path, { signal });
  if (!response.body) throw new ApiError(response.status, 'ERR_NO_BODY', `${what} came without a body`);
  const encoded = /gzip/.test(response.headers.get('content-encoding') ?? '');
  const inflated = encoded ? response.body : response.body.pipeThrough(new DecompressionStream('gzip'));
  return readAtMost(inflated, maxBytes, what);
}

export async function postJson<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<T> {
  const response = await send('POST', path, { body, headers });
  const text = await response.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Answers worth one more try of a start: nothing reached the server, or a replica went away mid-way. */
const RETRIED_STATUSES = new Set([0, 502, 503, 504]);

/**
 * A start, tried once more after a second when its answer was lost (the server unreachable, a replica
 * that went away); both attempts carry one Idempotency-Key, so a start that did begin is answered with
 * its recording instead of starting a second one or "already recording".
 */
export async function postStart<T>(path: string, body: unknown): Promise<T> {
  // getRandomValues, not randomUUID: the latter exists only on HTTPS or loopback pages.
  const random = crypto.getRandomValues(new Uint8Array(16));
  const key = Array.from(random, (byte) => byte.toString(16).padStart(2, '0')).join('');
  const headers = { 'idempotency-key': key };
  try {
    return await postJson<T>(path, body, headers);
  } catch (error) {
    if (!(error instanceof ApiError) || !RETRIED_STATUSES.has(error.status)) throw error;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return postJson<T>(path, body, headers);
  }
}

export async function putJson<T>(path: string, body: unknown): Promise<T> {
  return (await (await send('PUT', path, { body })).json()) as T;
}

export async function deleteJson(path: string): Promise<void> {
  await send('DELETE', path);
}

/** Path segments are always encoded: a name from the server never changes the path's shape. */
export function apiPath(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce(
    (out, part, i) => out + part + (i < values.length ? encodeURIComponent(String(values[i])) : ''),
    '',
  );
}
