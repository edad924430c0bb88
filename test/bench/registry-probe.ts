// Loaded into bench:registry's replicas with `--import` when BENCH_PROBE_DIR is set (plain node runs it:
// erasable types only). Appends one JSON line a second to BENCH_PROBE_DIR/probe-<pid>.jsonl: the wall time
// (ms since the epoch), the registrations answered in that second with their in-server times (headers in
// to the answer's end) above 5 ms, the event loop's delay (max and p99, 1 ms resolution), the loop's
// utilization, and each GC pause of 2 ms or more with its kind; the heap in use, the external and
// ArrayBuffer memory, the RSS and the active handles by kind (TLSWrap, TCPWrap, Timeout, …). What a renewal's tail is can then be read
// second by second beside the benchmark's own slow calls (BENCH_SLOW_FILE).
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { PerformanceObserver, constants, monitorEventLoopDelay, performance } from 'node:perf_hooks';

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};

const file = join(process.env.BENCH_PROBE_DIR ?? '.', `probe-${process.pid}.jsonl`);
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();

let gcs: { kind: string; ms: number; at: number }[] = [];
let gcMs = 0;
let gcCount = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? -1;
    gcMs += entry.duration;
    gcCount += 1;
    if (entry.duration >= 2)
      gcs.push({
        kind: GC_KINDS[kind] ?? String(kind),
        ms: Math.round(entry.duration * 10) / 10,
        at: Math.round(performance.timeOrigin + entry.startTime),
      });
  }
}).observe({ entryTypes: ['gc'] });

const started = new WeakMap<IncomingMessage, number>();
let answered = 0;
let slow: number[] = [];
subscribe('http.server.request.start', (message) => {
  const { request } = message as { request: IncomingMessage };
  if (request.url === '/api/v1/sidecars') started.set(request, performance.now());
});
subscribe('http.server.response.finish', (message) => {
  const { request } = message as { request: IncomingMessage };
  const from = started.get(request);
  if (from === undefined) return;
  answered += 1;
  const ms = performance.now() - from;
  if (ms > 5) slow.push(Math.round(ms * 10) / 10);
});

/** How many of each kind (TLSWrap, TCPWrap, Timeout, …). */
function countOf(kinds: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

let elu = performance.eventLoopUtilization();
setInterval(() => {
  const now = performance.eventLoopUtilization();
  const memory = process.memoryUsage();
  const line = {
    t: Date.now(),
    answered,
    slow,
    loopMaxMs: Math.round(delay.max / 1e5) / 10,
    loopP99Ms: Math.round(delay.percentile(99) / 1e5) / 10,
    elu: Math.round(performance.eventLoopUtilization(now, elu).utilization * 100) / 100,
    gcMs: Math.round(gcMs),
    gcCount,
    gcs,
    heapMiB: Math.round(memory.heapUsed / 2 ** 20),
    // Outside V8's heap: what overloaded replicas were killed for (253 MB anonymous with 60–65 MiB of heap).
    externalMiB: Math.round(memory.external / 2 ** 20),
    arrayBuffersMiB: Math.round(memory.arrayBuffers / 2 ** 20),
    rssMiB: Math.round(memory.rss / 2 ** 20),
    handles: countOf(process.getActiveResourcesInfo()),
  };
  elu = now;
  delay.reset();
  answered = 0;
  slow = [];
  gcs = [];
  gcMs = 0;
  gcCount = 0;
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}, 1000).unref();
