// The operator's client of the Furnace server's user listener. It calls as its own service account, like
// any user: a bearer token read from a file before each call (projected tokens rotate), the server's CA.
import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ErrorBody } from '../../core/contract/errors.ts';
import type { CatalogEntry, RecordingStatus as SidecarRecording } from '../../core/contract/recording.ts';
import { STATUS_WAIT_GRACE_MS } from '../../core/contract/status-follow.ts';
import { MAX_STATUS_WAIT_SECONDS, STATUS_WAIT_FIELD } from '../../core/contract/status-wait.ts';
import { isNotFound, ServerCallError } from './server-errors.ts';
import type { LabelSelector } from './recording-types.ts';

/** The body of a start, as the Recording's spec gives it (unset fields take the server's defaults). */
export interface StartBody {
  durationSeconds: number;
  frequency?: number;
  event?: string;
  callGraph?: 'auto' | 'fp' | 'dwarf';
  symbols?: 'proc' | 'image';
  container?: string;
  profiler?: string;
  profile?: string;
  /** Sinks of the installation by name; the server refuses names it does not have. */
  sinks?: string[];
  /** When sampling begins (RFC 3339), for a run dated ahead (a rollout watch's: its settle's end). */
  startAt?: string;
}

/** The body of `PUT /api/v1/continuous/<namespace>/<name>` (docs/continuous.md). */
export interface SelectionBody {
  selector: LabelSelector;
  containers?: string[];
  frequency?: number;
}

/** A continuous selection as the server answers it. */
export interface SelectionView {
  namespace: string;
  name: string;
  selector: LabelSelector;
  containers?: string[];
  frequency: number;
}

export interface FurnaceServerClient {
  /** `startKey`: the Idempotency-Key, the same for every attempt of one run's start of the pod. */
  startRecording(
    namespace: string,
    pod: string,
    body: StartBody,
    startKey?: string,
  ): Promise<SidecarRecording>;
  /**
   * The recording's status; with `waitSeconds`, a read that the recorder answers as soon as the recording is
   * done or failed, or after that many seconds (core/contract/status-wait.ts). A waiting read gives up
   * STATUS_WAIT_GRACE_MS after its wait, whatever the recorder does.
   */
  getRecording(
    namespace: string,
    pod: string,
    id: string,
    wait?: { waitSeconds: number },
  ): Promise<SidecarRecording>;
  stopRecording(namespace: string, pod: string, id: string): Promise<void>;
  /** The catalog's entry, or undefined when it has none (or the operator may not see it). */
  getCatalogEntry(id: string): Promise<CatalogEntry | undefined>;
  readArtifact(id: string, name: 'stacks.folded', maxBytes: number): Promise<string>;
  /** Deletes a catalog recording; one already gone is fine. */
  deleteRecording(id: string): Promise<void>;
  /**
   * The server's answer to `GET /api/v1/recordings?namespace=&baselineOf=`: the recording pinned as the
   * workload's baseline, as untrusted JSON (operator/recording/watch/pinned-baseline.ts reads it).
   */
  listBaselines(namespace: string, workload: string): Promise<unknown>;
  /** Switches continuous profiling on (or replaces the selection of that name). */
  putSelection(namespace: string, name: string, body: SelectionBody): Promise<SelectionView>;
  /** The selections of every namespace where the operator may view recordings. */
  listSelections(): Promise<SelectionView[]>;
  /** Switches it off: true when the server had it (204), false when it had not (404). */
  deleteSelection(namespace: string, name: string): Promise<boolean>;
}

export interface ServerClientOptions {
  /** The user listener's URL, e.g. https://furnace.furnace.svc:8080. */
  url: string;
  /** The operator's service-account token file; no Authorization header without one (local mode). */
  tokenPath?: string;
  /** PEM of the CA that signs the server's certificate. */
  ca?: string;
  timeoutMs?: number;
}

const SMALL_ANSWER = 1024 * 1024;

function readBody(res: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy(new Error(`the server's answer is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function errorBodyOf(text: string): ErrorBody | undefined {
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;
    return typeof body.code === 'string' && typeof body.message === 'string'
      ? (body as ErrorBody)
      : undefined;
  } catch {
    return undefined;
  }
}

export function createServerClient(options: ServerClientOptions): FurnaceServerClient {
  return new ServerClient(options);
}

const proxyPath = (namespace: string, pod: string, rest: string) =>
  `/proxy/${encodeURIComponent(namespace)}/${encodeURIComponent(pod)}/recordings${rest}`;
const catalogPath = (id: string, rest = '') => `/api/v1/recordings/${encodeURIComponent(id)}${rest}`;
const selectionPath = (namespace: string, name: string) =>
  `/api/v1/continuous/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;

class ServerClient implements FurnaceServerClient {
  readonly #options: ServerClientOptions;
  readonly #base: URL;
  readonly #send: typeof httpRequest | typeof httpsRequest;
  readonly #timeoutMs: number;

  constructor(options: ServerClientOptions) {
    this.#options = options;
    this.#base = new URL(options.url);
    this.#send = this.#base.protocol === 'https:' ? httpsRequest : httpRequest;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  async startRecording(
    namespace: string,
    pod: string,
    body: StartBody,
    startKey?: string,
  ): Promise<SidecarRecording> {
    const headers: Record<string, string> = startKey ? { 'idempotency-key': startKey } : {};
    const answer = await this.#call('POST', proxyPath(namespace, pod, ''), body, { extraHeaders: headers });
    return JSON.parse(answer) as SidecarRecording;
  }

  async getRecording(
    namespace: string,
    pod: string,
    id: string,
    wait?: { waitSeconds: number },
  ): Promise<SidecarRecording> {
    const path = proxyPath(namespace, pod, `/${encodeURIComponent(id)}`);
    if (!wait) return JSON.parse(await this.#call('GET', path)) as SidecarRecording;
    const seconds = Math.min(Math.max(1, Math.floor(wait.waitSeconds)), MAX_STATUS_WAIT_SECONDS);
    const query = new URLSearchParams({ [STATUS_WAIT_FIELD]: String(seconds) });
    const timeoutMs = seconds * 1000 + STATUS_WAIT_GRACE_MS;
    const waited = `${path}?${query.toString()}`;
    return JSON.parse(
      await this.#call('GET', waited, undefined, { deadlineMs: timeoutMs }),
    ) as SidecarRecording;
  }

  async stopRecording(namespace: string, pod: string, id: string): Promise<void> {
    // The sidecar takes a POST with a JSON body only; a stop has nothing to say.
    await this.#call('POST', proxyPath(namespace, pod, `/${encodeURIComponent(id)}/stop`), {});
  }

  async getCatalogEntry(id: string): Promise<CatalogEntry | undefined> {
    try {
      return JSON.parse(await this.#call('GET', catalogPath(id))) as CatalogEntry;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  readArtifact(id: string, name: 'stacks.folded', maxBytes: number): Promise<string> {
    return this.#call('GET', catalogPath(id, `/artifacts/${name}`), undefined, { maxBytes });
  }

  async deleteRecording(id: string): Promise<void> {
    try {
      await this.#call('DELETE', catalogPath(id));
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
  }

  async listBaselines(namespace: string, workload: string): Promise<unknown> {
    const query = new URLSearchParams({ namespace, baselineOf: workload, limit: '10' });
    return JSON.parse(await this.#call('GET', `/api/v1/recordings?${query.toString()}`)) as unknown;
  }

  async putSelection(namespace: string, name: string, body: SelectionBody): Promise<SelectionView> {
    return JSON.parse(await this.#call('PUT', selectionPath(namespace, name), body)) as SelectionView;
  }

  async listSelections(): Promise<SelectionView[]> {
    // Every selection the operator may view: bounded by what the server holds, read up to 16 MiB.
    const answer = JSON.parse(
      await this.#call('GET', '/api/v1/continuous', undefined, { maxBytes: 16 * SMALL_ANSWER }),
    ) as {
      items?: SelectionView[];
    };
    return answer.items ?? [];
  }

  async deleteSelection(namespace: string, name: string): Promise<boolean> {
    try {
      await this.#call('DELETE', selectionPath(namespace, name));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** `call.deadlineMs`: the whole answer by then or the call fails (otherwise only an idle socket times out). */
  async #call(method: string, path: string, body?: unknown, call: CallOptions = {}): Promise<string> {
    const { maxBytes = SMALL_ANSWER, extraHeaders = {}, deadlineMs } = call;
    const headers = { ...(await this.#headers()), ...extraHeaders };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const url = new URL(path, this.#base);
    const what = `${method} ${url.pathname}`;
    const timeoutMs = deadlineMs ?? this.#timeoutMs;
    const { ca } = this.#options;
    return new Promise<string>((resolve, reject) => {
      const req = this.#send(url, { method, headers, timeout: timeoutMs, ...(ca ? { ca } : {}) }, (res) => {
        readAnswer(res, maxBytes, what).then(resolve, reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${what} got no answer within ${timeoutMs} ms`)));
      req.on('error', (error) =>
        reject(new ServerCallError(0, undefined, `${what} failed: ${error.message}`)),
      );
      if (deadlineMs !== undefined) {
        // Settles the call even when the answer had begun (its stream may end without an error).
        const timer = setTimeout(() => {
          const message = `${what} got no whole answer within ${deadlineMs} ms`;
          req.destroy(new Error(message));
          reject(new ServerCallError(0, undefined, `${what} failed: ${message}`));
        }, deadlineMs);
        req.on('close', () => clearTimeout(timer));
      }
      req.end(payload);
    });
  }

  /** Accept, and the token as it is now (projected tokens rotate). */
  async #headers(): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept: 'application/json, */*' };
    const { tokenPath } = this.#options;
    if (tokenPath) headers.authorization = `Bearer ${(await readFile(tokenPath, 'utf8')).trim()}`;
    return headers;
  }
}

/** How one call to the server is bounded, beyond the client's own settings. */
interface CallOptions {
  maxBytes?: number;
  extraHeaders?: Record<string, string>;
  deadlineMs?: number;
}

/** The text of a 2xx answer; a ServerCallError that names the call for any other. */
async function readAnswer(res: IncomingMessage, maxBytes: number, what: string): Promise<string> {
  const text = await readBody(res, maxBytes);
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) return text;
  const error = errorBodyOf(text);
  throw new ServerCallError(
    status,
    error,
    `${what} answered ${status}: ${error?.message ?? text.slice(0, 200)}`,
  );
}
