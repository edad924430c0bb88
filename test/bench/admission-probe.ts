// Loaded into bench:admission's Furnace server with `--import` (plain node runs it: erasable types only).
// Writes one JSON line to stdout per garbage collection (its kind and pause) and per webhook call (the main
// thread's CPU between the request's headers and its answer's end: the call's own work plus whatever else
// the event loop ran between its turns). A CPU figure holds on a loaded machine where a wall time says
// little: at p99 it is what the call waited for on a quiet one. Lines are written whole, with a single
// write each, like the server's own log lines on the same pipe.
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { PerformanceObserver, constants } from 'node:perf_hooks';

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};

function writeLine(entry: object): void {
  process.stdout.write(`${JSON.stringify({ probe: true, ...entry })}\n`);
}

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? -1;
    writeLine({ gc: GC_KINDS[kind] ?? String(kind), pauseMs: entry.duration });
  }
}).observe({ entryTypes: ['gc'] });

const started = new WeakMap<IncomingMessage, NodeJS.CpuUsage>();

subscribe('http.server.request.start', (message) => {
  const { request } = message as { request: IncomingMessage };
  // The API server calls /mutate?timeout=5s.
  if (request.url?.startsWith('/mutate')) started.set(request, process.threadCpuUsage());
});

subscribe('http.server.response.finish', (message) => {
  const { request } = message as { request: IncomingMessage };
  const before = started.get(request);
  if (!before) return;
  const used = process.threadCpuUsage(before);
  writeLine({ mutateCpuMs: (used.user + used.system) / 1000 });
});
