// A watch that hands its events to the informer one per turn of the event loop. client-node's Watch parses
// every line of a chunk at once: when 250 pods go in one deletecollection, the server's loop parsed 250 pod
// objects of ~25 kB each (tens of ms with the garbage they leave) while the admission webhook's calls
// waited behind them. Here a turn parses one event, and the stream is paused until the parsed ones are
// handed over, so the webhook's sockets are read between any two events. The contract is client-node's
// (a Watch subclass), so ListWatch and the informer supervisor use it unchanged.
import type { IncomingMessage } from 'node:http';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { sendWithKubeConfig } from './kube-request.ts';

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;
type QueryParams = Record<string, string | number | boolean | undefined>;

/** As client-node's Watch: the connection, then the stream between two events (a quiet one reconnects). */
const IDLE_MS = 30_000;

/** What ListWatch's done handler takes for a quiet connection: reconnect at once, no error. */
function timeoutError(ms: number): Error {
  const error = new Error(`no watch event for ${ms} ms`);
  error.name = 'TimeoutError';
  return error;
}

function watchPath(path: string, queryParams: QueryParams): string {
  const query = new URLSearchParams({ watch: 'true' });
  for (const [name, value] of Object.entries(queryParams)) {
    if (value !== undefined) query.set(name, String(value));
  }
  return `${path}?${query.toString()}`;
}

interface WatchEvent {
  type?: unknown;
  object?: unknown;
}

/** Calls `expire` once no reset came for `ms`. */
function idleTimer(expire: () => void, ms: number): { reset(): void; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  return {
    reset() {
      clearTimeout(timer);
      timer = setTimeout(expire, ms);
      timer.unref();
    },
    clear: () => clearTimeout(timer),
  };
}

/** Reads the watch's lines from `response`, handing one event per turn to `onEvent`; `end` once, at the end. */
function paceEvents(
  response: IncomingMessage,
  onEvent: (event: WatchEvent) => void,
  end: (error: unknown) => void,
  idleMs: number,
): void {
  const lines: string[] = [];
  let partial = '';
  let ended = false;
  let scheduled = false;
  let closed = false;
  const idle = idleTimer(() => response.destroy(timeoutError(idleMs)), idleMs);
  const finish = (error: unknown): void => {
    closed = true;
    idle.clear();
    end(error);
  };
  const next = (): void => {
    scheduled = false;
    // Stopped or failed: the events not handed over are dropped; the informer's resourceVersion is still
    // that of the last one handed over, so its next watch sends them again.
    if (closed) return;
    const line = lines.shift();
    if (line !== undefined && line.trim() !== '') {
      try {
        onEvent(JSON.parse(line) as WatchEvent);
      } catch {
        // a line that is not JSON is skipped, as client-node does
      }
    }
    if (lines.length > 0) schedule();
    else if (ended) finish(null);
    else response.resume();
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(next);
  };
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    idle.reset();
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    if (parts.length === 0) return;
    lines.push(...parts);
    response.pause();
    schedule();
  });
  response.on('end', () => {
    ended = true;
    if (partial !== '') lines.push(partial);
    if (lines.length > 0) schedule();
    else finish(null);
  });
  response.on('error', finish);
  response.on('close', () => {
    if (!response.complete) finish(null);
  });
  idle.reset();
}

export class PacedWatch extends Watch {
  readonly #kc: KubeConfig;

  constructor(kc: KubeConfig) {
    super(kc);
    this.#kc = kc;
  }

  override async watch(
    path: string,
    queryParams: QueryParams,
    callback: WatchCallback,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const controller = new AbortController();
    let finished = false;
    const finishOnce = (error: unknown): void => {
      if (finished) return;
      finished = true;
      controller.abort();
      done(error);
    };
    try {
      const response = await sendWithKubeConfig(this.#kc, {
        method: 'GET',
        path: watchPath(path, queryParams),
        timeoutMs: IDLE_MS,
      });
      controller.signal.addEventListener('abort', () => response.destroy());
      // The socket's timeout covered the connection and the answer's headers; from here the watch's own
      // idle timer (a TimeoutError, after which ListWatch reconnects) takes over.
      response.socket.setTimeout(0);
      if (response.statusCode !== 200) {
        response.resume();
        const error = new Error(response.statusMessage ?? `status ${response.statusCode}`);
        throw Object.assign(error, { statusCode: response.statusCode });
      }
      paceEvents(response, (event) => callback(String(event.type), event.object, event), finishOnce, IDLE_MS);
    } catch (error) {
      finishOnce(error);
    }
    return controller;
  }
}
