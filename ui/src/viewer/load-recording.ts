// A recording from the catalog: its entry and its flame tree, read from the compact tree the sidecar
// writes (flame-tree.bin.gz: about 1 MB where the folded text is 45 MB, read without parsing), or built from stacks.folded
// for a recording without one (older sidecars) or whose tree does not decode. The entry and the tree
// are asked for at once, and a page opened on a recording's URL starts both before the app has
// even asked who is signed in (`prefetchRecording`).
import {
  decodeFlameTree,
  MAX_COMPACT_TREE_BYTES,
  readCompactTree,
} from '../../../core/render/flame-tree-compact.ts';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { ApiError, apiPath, getGzippedBytes, getJson, readText, TOO_LARGE } from '../api/client.ts';
import { createTreeBuilder } from './build-tree.ts';

export interface LoadedRecording {
  entry: CatalogEntry;
  /** undefined when the recording has neither tree nor folded stacks (it failed, or is still uploading). */
  tree: FlameNode | undefined;
}

async function readFolded(id: string, signal?: AbortSignal): Promise<FlameNode> {
  const builder = createTreeBuilder();
  await readText(
    apiPath`/api/v1/recordings/${id}/artifacts/stacks.folded`,
    (chunk) => builder.add(chunk),
    signal,
  );
  return builder.finish();
}

/**
 * The compact tree, or undefined when there is none or it does not decode (the folded stacks will do).
 * One that inflates past MAX_COMPACT_TREE_BYTES is not read further, and the page says so.
 */
async function readCompact(id: string, signal?: AbortSignal): Promise<FlameNode | undefined> {
  return readCompactAt(apiPath`/api/v1/recordings/${id}/artifacts/flame-tree.bin.gz`, signal);
}

/** The compact tree at `path` (the catalog's, or the sidecar's through the proxy); see readCompact. */
export async function readCompactAt(path: string, signal?: AbortSignal): Promise<FlameNode | undefined> {
  if (typeof DecompressionStream !== 'function') return undefined;
  try {
    const compact = await getGzippedBytes(
      path,
      MAX_COMPACT_TREE_BYTES,
      'The flame tree (flame-tree.bin.gz)',
      signal,
    );
    performance.mark('furnace-tree-read');
    const tree = decodeFlameTree(readCompactTree(compact));
    performance.mark('furnace-tree-built');
    return tree;
  } catch (error) {
    if (signal?.aborted || (error instanceof ApiError && error.code === TOO_LARGE)) throw error;
    return undefined;
  }
}

async function fetchRecording(id: string, signal?: AbortSignal): Promise<LoadedRecording> {
  const [entry, compact] = await Promise.all([
    getJson<CatalogEntry>(apiPath`/api/v1/recordings/${id}`, signal),
    readCompact(id, signal),
  ]);
  if (compact) return { entry, tree: compact };
  if (!entry.artifacts.some((artifact) => artifact.name === 'stacks.folded'))
    return { entry, tree: undefined };
  return { entry, tree: await readFolded(id, signal) };
}

const prefetched = new Map<string, Promise<LoadedRecording>>();

/** Starts loading a recording ahead of its page; the page's first load takes it over. */
export function prefetchRecording(id: string): void {
  const early = fetchRecording(id);
  early.catch(() => undefined); // a failure (not signed in yet) is the page's to retry
  prefetched.set(id, early);
}

/**
 * Hands a recording's page what the record page already has: the catalog entry it waited for and the
 * tree it drew from the sidecar (the same compact tree the catalog holds), so the page draws at once.
 * Without a tree, the page loads its own.
 */
export function offerRecording(entry: CatalogEntry, tree: FlameNode | undefined): void {
  if (tree === undefined) return;
  prefetched.set(entry.id, Promise.resolve({ entry, tree }));
}

export async function loadRecording(id: string, signal?: AbortSignal): Promise<LoadedRecording> {
  const early = prefetched.get(id);
  prefetched.delete(id);
  if (early) {
    try {
      return await early;
    } catch {
      // Loaded again below, now with the session the page has.
    }
  }
  return fetchRecording(id, signal);
}
