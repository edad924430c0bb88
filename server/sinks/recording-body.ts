// What a recording's push to a sink carries, made by the server: the sidecar's `profile.otlp.pb` carries
// attributes of its own choosing (a namespace, a pod, a service of another tenant), and a pprof
// recording's `profile.pb.gz` is the target program's own bytes. Both are written again here from the
// recording's folded stacks and the server's own catalog entry, by the writers merges use
// (catalog/merged-artifacts.ts), so a sink files a push under the namespace and pod the server knows.
// Pyroscope's folded format is the stacks themselves, sent as they are.
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { ArtifactName } from '../../core/contract/names.ts';
import type { CatalogEntry } from '../../core/contract/recording.ts';
import { parseFolded } from '../../core/stacks/folded.ts';
import type { Catalog } from '../catalog/catalog-store.ts';
import { mergedExportMeta } from '../catalog/merged-export-meta.ts';
import type { OpenedArtifact } from '../storage/artifact-store.ts';

/** The artifact every push is made from: the sink's own artifact is written from it. */
export const PUSH_SOURCE: ArtifactName = 'stacks.folded';

/** The folded stacks read into memory for one push, as for one merge (MAX_MERGED_BYTES). */
export const MAX_PUSH_SOURCE_BYTES = 64 * 1024 * 1024;

/**
 * The body of a push of `artifact` for `entry`; undefined when the catalog no longer holds its stacks.
 * `regression`: a rollout watch's verdict on the recording's version, a label of the profile.
 */
export async function openRecordingBody(
  catalog: Pick<Catalog, 'openArtifact'>,
  entry: CatalogEntry,
  artifact: ArtifactName,
  regression?: string,
): Promise<OpenedArtifact | undefined> {
  const folded = await catalog.openArtifact(entry.id, PUSH_SOURCE);
  if (folded === undefined || artifact === PUSH_SOURCE) return folded;
  if (artifact !== 'profile.pb.gz' && artifact !== 'profile.otlp.pb') {
    folded.body.destroy();
    throw new Error(`a sink cannot be sent ${artifact}`);
  }
  if (folded.bytes > MAX_PUSH_SOURCE_BYTES) {
    folded.body.destroy();
    throw new Error(
      `the folded stacks of ${entry.id} are ${folded.bytes} bytes, over the ${MAX_PUSH_SOURCE_BYTES} a push is made from`,
    );
  }
  const meta = mergedExportMeta([entry]);
  if (regression !== undefined) meta.subject.regression = regression;
  // Loaded at the first push, not at every server's start: protobuf and its generated schemas.
  const { exportProfile } = await import('../../core/export/profile-exports.ts');
  const body = exportProfile(artifact, parseFolded(await text(folded.body)), meta);
  return { body: Readable.from([body]), bytes: body.length };
}
