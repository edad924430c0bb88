// Where bench:admission's added latency goes, from the two sides of the webhook call: the API server's own
// histogram of the call (apiserver_admission_webhook_admission_duration_seconds, by webhook name), and
// the Furnace server's time from request to answer (Fastify's `responseTime`, which the webhook's decision
// line carries since it replaced Fastify's "request completed" line: the same clock, read at the same
// moment, when the answer has gone out).
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { ControlPlane } from '../harness/control-plane.ts';

/** Calls of the webhook so far by upper bound in seconds (cumulative, as Prometheus buckets are). */
export type CallBuckets = Map<number, number>;

const BUCKET = /^apiserver_admission_webhook_admission_duration_seconds_bucket\{(.*)\} (\d+)$/;

/** The API server's histogram of calls to the webhook `name`, read from its /metrics. */
export async function webhookCallBuckets(cp: ControlPlane, name: string): Promise<CallBuckets> {
  const { stdout, code, stderr } = await cp.kubectl(['get', '--raw', '/metrics']);
  if (code !== 0) throw new Error(`kubectl get --raw /metrics: ${stderr}`);
  const buckets: CallBuckets = new Map();
  for (const line of stdout.split('\n')) {
    const match = BUCKET.exec(line);
    const labels = match?.[1] ?? '';
    if (!match || !labels.includes(`name="${name}"`) || !labels.includes('type="admit"')) continue;
    const le = /le="([^"]+)"/.exec(labels)?.[1] ?? '';
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[2]));
  }
  return buckets;
}

/** after − before, bucket by bucket. */
export function bucketsBetween(before: CallBuckets, after: CallBuckets): CallBuckets {
  return new Map([...after].map(([le, n]) => [le, n - (before.get(le) ?? 0)]));
}

export function addBuckets(into: CallBuckets, more: CallBuckets): void {
  for (const [le, n] of more) into.set(le, (into.get(le) ?? 0) + n);
}

/** "≤ 5 ms: 97.0 %, ≤ 25 ms: 100.0 % of 1250 calls", or that there were none. */
export function describeBuckets(buckets: CallBuckets, bounds: number[]): string {
  const all = buckets.get(Infinity) ?? 0;
  if (all === 0) return 'no calls';
  const shares = bounds.map((b) => `≤ ${b * 1000} ms: ${(((buckets.get(b) ?? 0) / all) * 100).toFixed(1)} %`);
  return `${shares.join(', ')} of ${all} calls`;
}

export interface ResponseTimes {
  /** The response times (ms) logged since the last call. */
  take(): number[];
}

/** Collects the per-request `responseTime` from a server's JSON log on stdout. */
export function collectResponseTimes(stdout: Readable): ResponseTimes {
  let times: number[] = [];
  createInterface({ input: stdout }).on('line', (line) => {
    if (!line.includes('"responseTime"')) return;
    try {
      const entry = JSON.parse(line) as { responseTime?: unknown };
      if (typeof entry.responseTime === 'number') times.push(entry.responseTime);
    } catch {
      // not a JSON line
    }
  });
  return {
    take() {
      const taken = times;
      times = [];
      return taken;
    },
  };
}
