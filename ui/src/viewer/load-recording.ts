// A recording from the catalog: its entry and its folded stacks as a flame tree.
import { buildFlameTree, type FlameNode } from '../../../core/render/flame-tree.ts';
import type { CatalogEntry } from '../../../core/recording.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';
import { apiPath, getJson, getText } from '../api/client.ts';

export interface LoadedRecording {
  entry: CatalogEntry;
  /** undefined when the recording has no folded stacks (it failed, or is still uploading). */
  tree: FlameNode | undefined;
}

export async function loadRecording(id: string, signal?: AbortSignal): Promise<LoadedRecording> {
  const entry = await getJson<CatalogEntry>(apiPath`/api/v1/recordings/${id}`, signal);
  if (!entry.artifacts.some((artifact) => artifact.name === 'stacks.folded'))
    return { entry, tree: undefined };
  const text = await getText(apiPath`/api/v1/recordings/${id}/artifacts/stacks.folded`, signal);
  return { entry, tree: buildFlameTree(parseFolded(text)) };
}
