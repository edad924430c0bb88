// Where bench:admission's added latency goes, from the two sides of the webhook call: the API server's own
// histogram of the call (apiserver_admission_webhook_admission_duration_seconds, by webhook name), and
// the Furnace server's time from request to answer (Fastify's `responseTime`, which the webhook's decision
// line carries since it replaced Fastify's "request completed" line: the same clock, read at the same
// moment, when the answer has gone out); and from admission-probe.ts inside the server, the main thread's
// CPU during each call and the garbage collections.
import type { Readable } from 'node:stream';
import { createInterface, Interface } from 'node:readline';
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

/** What the Furnace server's stdout said between two takes: its decision lines and the probe's lines. */
export interface ServerSample {
  /** Fastify's `responseTime` of each answered review, ms. */
  responseMs: number[];
  /** The main thread's CPU during each webhook call (admission-probe.ts), ms. */
  mutateCpuMs: number[];
  /** Garbage collections by kind: how many and their pauses together, ms. */
  gc: Map<string, { count: number; pauseMs: number }>;
}

export interface ServerLines {
  /** What was logged since the last call. */
  take(): ServerSample;
}

function emptySample(): ServerSample {
  return { responseMs: [], mutateCpuMs: [], gc: new Map() };
}

interface LineEntry {
  responseTime?: unknown;
  mutateCpuMs?: unknown;
  gc?: unknown;
  pauseMs?: unknown;
}

function addLine(sample: ServerSample, entry: LineEntry): void {
  if (typeof entry.responseTime === 'number') sample.responseMs.push(entry.responseTime);
  if (typeof entry.mutateCpuMs === 'number') sample.mutateCpuMs.push(entry.mutateCpuMs);
  if (typeof entry.gc === 'string' && typeof entry.pauseMs === 'number') {
    const kind = sample.gc.get(entry.gc) ?? { count: 0, pauseMs: 0 };
    sample.gc.set(entry.gc, { count: kind.count + 1, pauseMs: kind.pauseMs + entry.pauseMs });
  }
}

/**
 * Collects the per-request `responseTime` and the probe's lines from a server's JSON log on stdout (or
 * from lines already being read from it).
 */
export function collectServerLines(stdout: Readable | Interface): ServerLines {
  let sample = emptySample();
  const lines = stdout instanceof Interface ? stdout : createInterface({ input: stdout });
  lines.on('line', (line) => {
    if (!line.includes('"responseTime"') && !line.includes('"probe"')) return;
    try {
      addLine(sample, JSON.parse(line) as LineEntry);
    } catch {
      // not a JSON line
    }
  });
  return {
    take() {
      const taken = sample;
      sample = emptySample();
      return taken;
    },
  };
}
