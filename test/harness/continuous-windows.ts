// Continuous profiling's windows for tests: a store on the filesystem or the file's S3 server, and
// windows of a few pods written as an agent's uploads would be (15 s each, folded text and pprof).
import assert from 'node:assert/strict';
import { createS3Client } from '../../server/storage/s3-client.ts';
import { s3Windows } from '../../server/continuous/s3-window-store.ts';
import { filesystemWindows, type WindowStore } from '../../server/continuous/window-store.ts';
import { parseWindowKey, windowKey, type WindowMeta } from '../../server/continuous/window-keys.ts';
import { windowPprof } from '../../server/continuous/window-pprof.ts';
import { parseFolded } from '../../core/stacks/folded.ts';
import { s3StorageOf, type StoreUnderTest } from './catalog-stores.ts';

export const HOUR = 3_600_000;
/** A whole hour, so that buckets and slots are easy to count. */
export const BASE = Date.UTC(2026, 10, 20, 10, 0, 0);
export const WINDOW_MS = 15_000;

export function windowsOn(under: StoreUnderTest, dataDir: string): WindowStore {
  if (under.name === 'filesystem') return filesystemWindows(dataDir);
  const storage = s3StorageOf(
    under.server?.() ?? assert.fail('no S3 server'),
    `t-${Math.random().toString(36).slice(2)}/`,
  );
  return s3Windows(createS3Client(storage), storage);
}

export function windowMeta(pod: string, start: number): WindowMeta {
  return {
    namespace: 'shop',
    node: 'node-1',
    pod,
    container: 'app',
    workload: 'Deployment/web',
    start,
    end: start + WINDOW_MS,
  };
}

/** A window's stacks: two of its own and one shared by every window, with counts from its place. */
export function windowFolded(pod: string, index: number): string {
  return `${pod};main;work ${1 + (index % 7)}\n${pod};main;idle_${index % 3} ${1 + (index % 2)}\nshared;x 1\n`;
}

/** Writes `count` consecutive 15 s windows per pod from `from`; answers their samples. */
export async function writeWindows(
  store: WindowStore,
  pods: readonly string[],
  from: number,
  count: number,
): Promise<number> {
  let samples = 0;
  for (let i = 0; i < count; i++)
    for (const pod of pods) {
      const meta = windowMeta(pod, from + i * WINDOW_MS);
      const folded = windowFolded(pod, i);
      const stacks = parseFolded(folded);
      for (const n of stacks.values()) samples += n;
      await store.put(windowKey(meta), folded, await windowPprof(stacks, meta, 19));
    }
  return samples;
}

/** Every window of the namespace's hours between two times, with its metadata. */
export async function listWindows(store: WindowStore, from: number, to: number): Promise<WindowMeta[]> {
  const metas: WindowMeta[] = [];
  for await (const { namespace, hour } of store.hours())
    for await (const key of store.list(`${namespace}/${hour}/`)) {
      const meta = parseWindowKey(key);
      if (meta && meta.end > from && meta.start < to) metas.push(meta);
    }
  return metas.sort((a, b) => a.start - b.start);
}
