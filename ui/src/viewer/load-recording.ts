// A recording from the catalog: its entry and its folded stacks as a flame tree.
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import type { CatalogEntry } from '../../../core/recording.ts';
import { apiPath, getJson, readText } from '../api/client.ts';
import { createTreeBuilder } from './build-tree.ts';

export interface LoadedRecording {
  entry: CatalogEntry;
  /** undefined when the recording has no folded stacks (it failed, or is still uploading). */
  tree: FlameNode | undefined;
}

export async function loadRecording(id: string, signal?: AbortSignal): Promise<LoadedRecording> {
  const entry = await getJson<CatalogEntry>(apiPath`/api/v1/recordings/${id}`, signal);
  if (!entry.artifacts.some((artifact) => artifact.name === 'stacks.folded'))
    return { entry, tree: undefined };
  const builder = createTreeBuilder();
  await readText(
    apiPath`/api/v1/recordings/${id}/artifacts/stacks.folded`,
    (chunk) => builder.add(chunk),
    signal,
  );
  return { entry, tree: builder.finish() };
}
