// A recording from the catalog: its entry and its flame tree, read from the compact tree the sidecar
// writes (flame-tree.json.gz: a few hundred KB where the folded text is tens of MB), or built from
// stacks.folded for a recording without one (older sidecars) or whose tree does not decode.
import { decodeFlameTree } from '../../../core/render/flame-tree-compact.ts';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import type { CatalogEntry } from '../../../core/recording.ts';
import type { ArtifactName } from '../../../core/names.ts';
import { apiPath, getGzippedJson, getJson, readText } from '../api/client.ts';
import { createTreeBuilder } from './build-tree.ts';

export interface LoadedRecording {
  entry: CatalogEntry;
  /** undefined when the recording has neither tree nor folded stacks (it failed, or is still uploading). */
  tree: FlameNode | undefined;
}

const has = (entry: CatalogEntry, name: ArtifactName): boolean =>
  entry.artifacts.some((artifact) => artifact.name === name);

async function readFolded(id: string, signal?: AbortSignal): Promise<FlameNode> {
  const builder = createTreeBuilder();
  await readText(
    apiPath`/api/v1/recordings/${id}/artifacts/stacks.folded`,
    (chunk) => builder.add(chunk),
    signal,
  );
  return builder.finish();
}

export async function loadRecording(id: string, signal?: AbortSignal): Promise<LoadedRecording> {
  const entry = await getJson<CatalogEntry>(apiPath`/api/v1/recordings/${id}`, signal);
  if (has(entry, 'flame-tree.json.gz') && typeof DecompressionStream === 'function') {
    try {
      const compact = await getGzippedJson(
        apiPath`/api/v1/recordings/${id}/artifacts/flame-tree.json.gz`,
        signal,
      );
      performance.mark('furnace-tree-read');
      const tree = decodeFlameTree(compact);
      performance.mark('furnace-tree-built');
      return { entry, tree };
    } catch (error) {
      if (signal?.aborted) throw error;
      // A tree that does not decode: the folded stacks have the same samples.
      if (!has(entry, 'stacks.folded')) throw error;
    }
  }
  if (!has(entry, 'stacks.folded')) return { entry, tree: undefined };
  return { entry, tree: await readFolded(id, signal) };
}
