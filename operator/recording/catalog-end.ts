// A run's end learned from the server's catalog as well as from the recorder. A recorder answers a recording
// `done` once it has sent every file to the catalog: the graph's tree and the folded stacks go first, the
// other views and the raw perf.data and perf.script after them (sidecar/recording/upload-plan.ts), which took
// 50–150 ms more on a loaded 2-core machine (bench:rollout-event). What a run does next (its summary, a
// rollout watch's comparison and Event) reads only the catalog's entry and its stacks.folded, so a watch
// also reads the catalog entry from just after the run should have ended, and takes whichever says first
// that the recording is done: the catalog once its entry is the pod's own (catalog-owner.ts), done, and holds
// stacks.folded. Reads are paced so that all of a run's pods together read the catalog at most
// CATALOG_END_READS_PER_SECOND times a second, and stop when the recorder answered or the wait ends.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CatalogEntry, RecordingStatus as SidecarRecording } from '../../core/contract/recording.ts';
import { foreignEntry } from './catalog-owner.ts';
import { readRecordingStatus } from './end-wait.ts';
import { readAheadFolded, type StacksDeps } from './merged-stacks.ts';
import type { FurnaceServerClient } from './server-client.ts';

/** The most catalog reads a second for one run's pods together. */
export const CATALOG_END_READS_PER_SECOND = 50;

/** How long after the run should have ended the catalog is first read: perf script alone takes longer. */
export const CATALOG_END_FIRST_READ_MS = 100;

/** Where and when to look: the run's end, the wait's end, and how many pods share the reads. */
export interface CatalogEndTiming {
  /** When the run should have stopped recording (ms since the epoch). */
  endsAt: number;
  /** When to give up reading (ms since the epoch): the recorder's answer decides then. */
  until: number;
  /** How many of the run's pods read the catalog side by side. */
  pods: number;
}

/** Whether a catalog entry says that pod `namespace/pod`'s recording is done with its stacks in. Pure. */
export function doneInCatalog(entry: CatalogEntry | undefined, namespace: string, pod: string): boolean {
  if (!entry || entry.state !== 'done' || foreignEntry(entry, namespace, pod) !== undefined) return false;
  // The answer crossed a process boundary unchecked: lists of another shape say no (the recorder decides).
  const artifacts: unknown = entry.artifacts;
  const arriving: unknown = entry.arriving ?? [];
  if (!Array.isArray(artifacts) || !Array.isArray(arriving)) return false;
  const held = artifacts.some((artifact: unknown) => isNamed(artifact, 'stacks.folded'));
  return held && !arriving.includes('stacks.folded');
}

function isNamed(value: unknown, name: string): boolean {
  return typeof value === 'object' && value !== null && (value as { name?: unknown }).name === name;
}

/** The pause between two of one pod's reads, so that `pods` pods read at most the rate above. Pure. */
export function catalogEndIntervalMs(pods: number): number {
  return Math.ceil((1000 * Math.max(1, pods)) / CATALOG_END_READS_PER_SECOND);
}

/**
 * Reads the catalog entry of `target` from CATALOG_END_FIRST_READ_MS after the run's end until it says done
 * (doneInCatalog), `signal` aborts, or `timing.until` passes; the entry, or undefined. A read that fails
 * is as if the entry were not there yet: the recorder's answer stays the fallback.
 */
export async function catalogEnd(
  server: Pick<FurnaceServerClient, 'getCatalogEntry'>,
  target: { namespace: string; pod: string; recordingId: string },
  timing: CatalogEndTiming,
  clock: { now(): number; signal: AbortSignal },
): Promise<CatalogEntry | undefined> {
  const { namespace, pod, recordingId } = target;
  const interval = catalogEndIntervalMs(timing.pods);
  let next = timing.endsAt + CATALOG_END_FIRST_READ_MS;
  for (;;) {
    const wait = next - clock.now();
    if (wait > 0 && !(await pause(wait, clock.signal))) return undefined;
    if (clock.signal.aborted || clock.now() > timing.until) return undefined;
    const entry = await server.getCatalogEntry(recordingId).catch(() => undefined);
    if (doneInCatalog(entry, namespace, pod)) return entry;
    next = clock.now() + interval;
  }
}

/** Waits `ms` unless aborted first; whether it waited. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/**
 * The recorder's answer `fromRecorder`, or the catalog's entry when the catalog says the recording is done
 * first (catalogEnd). The recorder's read goes on when the catalog answered: its outcome is dropped.
 */
export async function firstEnd<S>(
  fromRecorder: Promise<S>,
  fromCatalog: (signal: AbortSignal) => Promise<CatalogEntry | undefined>,
): Promise<{ recorder: S } | { catalog: CatalogEntry }> {
  const stop = new AbortController();
  const recorder = fromRecorder.then((status) => ({ recorder: status }));
  // Whatever the recorder says once the catalog answered is not needed; a failure then is nobody's.
  recorder.catch(() => {});
  const catalog = fromCatalog(stop.signal).then((entry) => (entry ? { catalog: entry } : undefined));
  try {
    const first = await Promise.race([recorder, catalog]);
    return first ?? (await recorder);
  } finally {
    stop.abort();
  }
}

/**
 * A recording's status from its recorder (waiting `waitSeconds` for its end when given: end-wait.ts), or
 * its catalog entry when `catalog` is given and the catalog says first that it is done.
 */
export async function readEnd(
  deps: StacksDeps & { now(): number; log?: { warn(obj: object, msg: string): void } },
  where: { namespace: string; pod: string; recordingId: string },
  waitSeconds: number | undefined,
  catalog: CatalogEndTiming | undefined,
): Promise<SidecarRecording | CatalogEntry> {
  const fromRecorder = readRecordingStatus(deps.server, where, waitSeconds, deps.log);
  if (!catalog) return fromRecorder;
  const first = await firstEnd(fromRecorder, (signal) =>
    catalogEnd(deps.server, where, catalog, { now: () => deps.now(), signal }),
  );
  if (!('catalog' in first)) return first.recorder;
  // What the summary and the comparison read next: asked for now, with the entry found to be the pod's.
  readAheadFolded(deps, where.namespace, where);
  return first.catalog;
}
