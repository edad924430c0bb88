// Refusing work before the pod's memory runs out. Under a burst (thousands of sidecars registering at once,
// many uploads together) a replica used to keep accepting requests until the kernel killed it at its
// memory limit, which lost every request it held and sent the burst on to the other replica. Now each
// listener answers 503 with Retry-After while its memory is near a limit, and sidecars and agents retry
// with backoff (their uploads stay on their disk meanwhile). Probes and metrics are always answered: a
// replica that is busy is not dead. @fastify/under-pressure does the refusing, checking the measure below
// once a second; the limits are the process's own: V8's heap limit (`--max-old-space-size`) and the
// container's memory limit as Node finds it in its cgroup.
//
// The heap is judged by what the last full collection left, not by the heap in use at the moment: in
// use includes garbage, and V8 lets it grow close to the limit before it collects, which would refuse
// requests on a server that is fine. Memory is judged by the anonymous resident pages (the heap, buffers,
// TLS state), not by the resident set, whose file pages (Node's own binary) the kernel can reclaim.
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { FurnaceError } from '../../core/contract/errors.ts';

export interface PressureLimits {
  /** Refuse new requests while the heap a full collection leaves (and the heap now) is above this. */
  maxLiveHeapBytes: number;
  /** Refuse new requests while the anonymous resident memory is above this; 0 for no limit. */
  maxAnonBytes: number;
}

/** Shares of the limits past which a replica refuses work. */
export const HEAP_SHARE = 0.85;
export const MEMORY_SHARE = 0.9;
/** Seconds a refused caller is told to wait. */
export const PRESSURE_RETRY_SECONDS = 5;
const CHECK_INTERVAL_MS = 1_000;

const ALWAYS_ANSWERED = new Set(['/healthz', '/readyz', '/metrics']);

/** The limits of this process: a share of V8's heap limit and of the container's memory limit. */
export function pressureLimitsOfProcess(): PressureLimits {
  const constrained = process.constrainedMemory();
  const containerLimit = constrained > 0 && constrained < totalmem() ? constrained : 0;
  return {
    maxLiveHeapBytes: Math.floor(getHeapStatistics().heap_size_limit * HEAP_SHARE),
    maxAnonBytes: Math.floor(containerLimit * MEMORY_SHARE),
  };
}

/** This process's anonymous resident memory (RssAnon), in bytes; 0 where /proc does not say. */
function anonBytes(): number {
  try {
    const kib = /^RssAnon:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kib === undefined ? 0 : Number(kib) * 1024;
  } catch {
    return 0;
  }
}

export interface Pressure {
  /** Over a limit now: which, the figure and the limit. */
  over(): { what: string; bytes: number; limit: number } | undefined;
  /** One more user of the watch (a listener); the answer lets go of it, and the last to let go stops it. */
  use(): () => void;
}

/** The heap after the last full collection (watched), the heap and anonymous memory now (read). */
export function watchPressure(limits: PressureLimits): Pressure {
  let liveHeap = 0;
  const observer = new PerformanceObserver((list) => {
    const major = list
      .getEntries()
      .some(
        (entry) =>
          (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ===
          constants.NODE_PERFORMANCE_GC_MAJOR,
      );
    if (major) liveHeap = getHeapStatistics().used_heap_size;
  });
  observer.observe({ entryTypes: ['gc'] });
  let users = 0;
  return {
    over() {
      const heapNow = getHeapStatistics().used_heap_size;
      const heapLimit = limits.maxLiveHeapBytes;
      if (liveHeap > heapLimit && heapNow > heapLimit)
        return {
          what: 'JavaScript heap left by the last full collection',
          bytes: liveHeap,
          limit: heapLimit,
        };
      const anon = limits.maxAnonBytes > 0 ? anonBytes() : 0;
      if (anon > limits.maxAnonBytes && limits.maxAnonBytes > 0)
        return { what: 'memory (anonymous resident pages)', bytes: anon, limit: limits.maxAnonBytes };
      return undefined;
    },
    use() {
      users++;
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        if (--users === 0) observer.disconnect();
      };
    },
  };
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

function refusal(reason: { what: string; bytes: number; limit: number }): FurnaceError {
  return new FurnaceError(
    'ERR_UNAVAILABLE',
    `the server is refusing new requests while its ${reason.what} is ${mebibytes(reason.bytes)}, over ${mebibytes(reason.limit)}; try again in ${PRESSURE_RETRY_SECONDS} s`,
    { limit: reason.limit, retryAfterSeconds: PRESSURE_RETRY_SECONDS },
  );
}

/**
 * Registers the refusal on one listener (before its routes, so it covers all of them); the listeners of one
 * process share one `pressure`, which stops being watched when the last of them closes.
 */
export async function installLoadShedding(app: FastifyInstance, pressure: Pressure): Promise<void> {
  let reason: ReturnType<Pressure['over']>;
  const release = pressure.use();
  app.addHook('onClose', (_instance, done) => {
    release();
    done();
  });
  await app.register(underPressure, {
    healthCheck: () => {
      reason = pressure.over();
      return Promise.resolve(reason === undefined);
    },
    healthCheckInterval: CHECK_INTERVAL_MS,
    retryAfter: PRESSURE_RETRY_SECONDS,
    pressureHandler: (request: FastifyRequest) => {
      if (ALWAYS_ANSWERED.has(request.routeOptions.url ?? '') || reason === undefined) return undefined;
      return Promise.reject(refusal(reason));
    },
  });
}
