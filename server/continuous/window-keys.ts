// The key of a stored window says everything a query filters on, so a range is answered by listing keys
// (one prefix per hour of the range) and reading only the windows that match:
//   <namespace>/<YYYYMMDDHH of the start, UTC>/<start ms>~<end ms>~<node>~<pod>~<container>~<Kind>~<name>[~r<s>]
// Names never contain `~` or `/` beyond the workload's, which is split into its kind and name here. A
// compacted window (continuous/compact-windows.ts) ends in `~r60` or `~r600`: the slot length in seconds
// it was merged into, which no name can be mistaken for (a name never starts a field after the workload's). Pure.

import type { WindowMeta } from '../../core/continuous/window-meta.ts';

export type { WindowMeta };

/** What a query asks for: a time range and, optionally, one of each name. */
export interface WindowQuery {
  namespace: string;
  from: number;
  to: number;
  node?: string;
  pod?: string;
  container?: string;
  workload?: string;
}

const HOUR_MS = 3_600_000;

/** The hour bucket of a time: `YYYYMMDDHH` in UTC. */
export function hourOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13).replace(/[-T]/g, '');
}

export function windowKey(meta: WindowMeta): string {
  const [kind, name] = splitWorkload(meta.workload);
  const fields = [meta.start, meta.end, meta.node, meta.pod, meta.container, kind, name];
  if (meta.resolution !== undefined) fields.push(`r${meta.resolution}`);
  return `${meta.namespace}/${hourOf(meta.start)}/${fields.join('~')}`;
}

function splitWorkload(workload: string): [string, string] {
  const cut = workload.indexOf('/');
  return cut < 0 ? ['Pod', workload] : [workload.slice(0, cut), workload.slice(cut + 1)];
}

const WINDOW_NAME = /^(\d+)~(\d+)~([^~]*)~([^~]*)~([^~]*)~([^~]*)~([^~]*)(?:~r(\d+))?$/;

/** The window a key names; undefined for anything else. */
export function parseWindowKey(key: string): WindowMeta | undefined {
  const [namespace, hour, rest, ...extra] = key.split('/');
  if (namespace === undefined || hour === undefined || rest === undefined || extra.length > 0)
    return undefined;
  const m = WINDOW_NAME.exec(rest);
  if (!m) return undefined;
  const [, start, end, node = '', pod = '', container = '', kind = '', name = '', resolution] = m;
  return {
    namespace,
    node,
    pod,
    container,
    workload: `${kind}/${name}`,
    start: Number(start),
    end: Number(end),
    ...(resolution !== undefined ? { resolution: Number(resolution) } : {}),
  };
}

/** The pod and container a window is of (with its node and workload): what compaction keeps apart. */
export function sourceOf(meta: WindowMeta): string {
  return [meta.node, meta.pod, meta.container, meta.workload].join('~');
}

/** The hour prefixes (`<namespace>/<YYYYMMDDHH>/`) a window starting within [from - 1 h, to] has. */
export function hourPrefixes(query: Pick<WindowQuery, 'namespace' | 'from' | 'to'>): string[] {
  const prefixes: string[] = [];
  // A window that started in the hour before `from` may still reach into the range.
  for (let at = Math.floor(query.from / HOUR_MS) * HOUR_MS - HOUR_MS; at <= query.to; at += HOUR_MS)
    prefixes.push(`${query.namespace}/${hourOf(at)}/`);
  return prefixes;
}

/** Whether a window is part of the query: it overlaps the range and has every name asked for. */
export function windowMatches(meta: WindowMeta, query: WindowQuery): boolean {
  if (meta.namespace !== query.namespace || meta.end <= query.from || meta.start >= query.to) return false;
  const names = ['node', 'pod', 'container', 'workload'] as const;
  return names.every((field) => query[field] === undefined || query[field] === meta[field]);
}

/** The start of an hour bucket (`YYYYMMDDHH`, UTC) in ms; NaN for anything else. */
export function hourStart(hour: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(hour);
  if (!m) return NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
}

/**
 * Whether every window of an hour bucket is older than the retention: the bucket holds windows that
 * start within its hour, and a window is at most MAX_WINDOW_MS long.
 */
export function hourExpired(hour: string, now: number, retentionMs: number, maxWindowMs: number): boolean {
  const start = hourStart(hour);
  return Number.isFinite(start) && start + HOUR_MS + maxWindowMs <= now - retentionMs;
}

/**
 * Whether `window` is one that compaction already merged into `coarse`: the same pod and container, a
 * finer resolution, a start in the coarse window's slot and a range inside it. After a compaction that
 * stopped between writing the coarse window and removing its sources, such a window is a duplicate:
 * queries skip it and the next pass removes it.
 */
export function mergedInto(window: WindowMeta, coarse: WindowMeta): boolean {
  if (coarse.resolution === undefined || (window.resolution ?? 0) >= coarse.resolution) return false;
  const slotMs = coarse.resolution * 1000;
  return (
    sourceOf(window) === sourceOf(coarse) &&
    Math.floor(window.start / slotMs) === Math.floor(coarse.start / slotMs) &&
    window.start >= coarse.start &&
    window.end <= coarse.end
  );
}

/** The windows that no other of the list already holds (see mergedInto). */
export function withoutMerged<T extends { meta: WindowMeta }>(windows: readonly T[]): T[] {
  const coarse = new Map<string, WindowMeta[]>();
  for (const w of windows)
    if (w.meta.resolution !== undefined) {
      const list = coarse.get(sourceOf(w.meta)) ?? [];
      list.push(w.meta);
      coarse.set(sourceOf(w.meta), list);
    }
  if (coarse.size === 0) return [...windows];
  return windows.filter((w) => !(coarse.get(sourceOf(w.meta)) ?? []).some((c) => mergedInto(w.meta, c)));
}
