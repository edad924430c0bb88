// Refusing work before the pod's memory runs out. Under a burst (thousands of sidecars registering at once,
// many uploads together) a replica used to keep accepting requests until the kernel killed it at its
// memory limit, which lost every request it held and sent the burst on to the other replica. Now each
// listener answers 503 with Retry-After once the heap or the process's resident memory nears its limit,
// and sidecars and agents retry with backoff (their uploads stay on their disk meanwhile). Probes and
// metrics are always answered: a replica that is busy is not dead. The measuring is
// @fastify/under-pressure's (sampled once a second); the limits are the process's own: V8's heap limit
// (`--max-old-space-size`) and the container's memory limit as Node finds it in its cgroup.
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { FurnaceError } from '../../core/contract/errors.ts';

export interface PressureLimits {
  /** Refuse new requests while the V8 heap in use is above this. */
  maxHeapUsedBytes: number;
  /** Refuse new requests while the resident set is above this; 0 for no limit (no container limit found). */
  maxRssBytes: number;
}

/** Shares of the limits past which a replica refuses work. */
export const HEAP_SHARE = 0.9;
export const RSS_SHARE = 0.95;
/** Seconds a refused caller is told to wait. */
export const PRESSURE_RETRY_SECONDS = 5;

const ALWAYS_ANSWERED = new Set(['/healthz', '/readyz', '/metrics']);

/** The limits of this process: a share of V8's heap limit and of the container's memory limit. */
export function pressureLimitsOfProcess(): PressureLimits {
  const constrained = process.constrainedMemory();
  const containerLimit = constrained > 0 && constrained < totalmem() ? constrained : 0;
  return {
    maxHeapUsedBytes: Math.floor(getHeapStatistics().heap_size_limit * HEAP_SHARE),
    maxRssBytes: Math.floor(containerLimit * RSS_SHARE),
  };
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

function refusal(limits: PressureLimits, type: string, value: number | undefined): FurnaceError {
  const rss = type === 'rssBytes';
  const limit = rss ? limits.maxRssBytes : limits.maxHeapUsedBytes;
  const what = rss ? 'resident memory' : 'JavaScript heap in use';
  const shown = value === undefined ? 'over' : `at ${mebibytes(value)}, over`;
  return new FurnaceError(
    'ERR_UNAVAILABLE',
    `the server is refusing new requests while its ${what} is ${shown} ${mebibytes(limit)}; try again in ${PRESSURE_RETRY_SECONDS} s`,
    { limit, retryAfterSeconds: PRESSURE_RETRY_SECONDS },
  );
}

/** Registers the refusal on one listener (before its routes, so it covers all of them). */
export async function installLoadShedding(app: FastifyInstance, limits: PressureLimits): Promise<void> {
  await app.register(underPressure, {
    maxHeapUsedBytes: limits.maxHeapUsedBytes,
    ...(limits.maxRssBytes > 0 ? { maxRssBytes: limits.maxRssBytes } : {}),
    retryAfter: PRESSURE_RETRY_SECONDS,
    pressureHandler: (request: FastifyRequest, _reply, type, value) => {
      if (ALWAYS_ANSWERED.has(request.routeOptions.url ?? '')) return undefined;
      return Promise.reject(refusal(limits, type, value));
    },
  });
}
