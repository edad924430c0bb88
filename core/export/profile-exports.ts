// The recording's stacks in the field's own formats, one function for every place that writes them (the
// sidecar after a recording, the server for a merge). Pure but for gzip.
import type { BinaryWriter } from '@bufbuild/protobuf/wire';
import { otlpPieces } from '../otlp/write-otlp.ts';
import { pprofMembers } from '../pprof/write-pprof.ts';
import type { FoldedStacks } from '../stacks/folded.ts';
import type { InternedStacks } from '../stacks/interned.ts';
import { otelResourceAttributes, pprofLabels, type ProfileExportMeta } from './profile-subject.ts';

/** Exported profiles, in the order they are written and uploaded. */
export const EXPORT_ARTIFACTS = ['profile.pb.gz', 'profile.otlp.pb'] as const;
export type ExportArtifact = (typeof EXPORT_ARTIFACTS)[number];

/**
 * One exported profile of the stacks as the file's bytes in pieces, in order (pprof's gzip members, OTLP's
 * request piece by piece): a caller writing them to a file one after the other never holds the file in one
 * buffer. `profile.pb.gz` is pprof, gzipped; `profile.otlp.pb` an OTLP ExportProfilesServiceRequest
 * (protobuf, not compressed, as OTLP/HTTP sends it). A caller writing both interns the stacks once
 * (core/stacks/interned.ts) and passes the tables, and one writer, to each.
 */
export function exportProfilePieces(
  name: ExportArtifact,
  stacks: FoldedStacks | InternedStacks,
  meta: ProfileExportMeta,
  writer?: BinaryWriter,
): Uint8Array[] {
  const { frequency, startedAtMs, durationMs } = meta;
  const measured = meta.valueType === undefined ? {} : { valueType: meta.valueType };
  switch (name) {
    case 'profile.pb.gz':
      return pprofMembers(
        stacks,
        { frequency, startedAtMs, durationMs, labels: pprofLabels(meta.subject), ...measured },
        writer,
      );
    case 'profile.otlp.pb':
      return otlpPieces(
        stacks,
        { frequency, startedAtMs, durationMs, resource: otelResourceAttributes(meta.subject), ...measured },
        writer,
      );
  }
}

/** One exported profile of the stacks in one buffer (see exportProfilePieces). */
export function exportProfile(
  name: ExportArtifact,
  stacks: FoldedStacks | InternedStacks,
  meta: ProfileExportMeta,
  writer?: BinaryWriter,
): Buffer {
  const pieces = exportProfilePieces(name, stacks, meta, writer);
  return pieces.length === 1 && Buffer.isBuffer(pieces[0]) ? pieces[0] : Buffer.concat(pieces);
}
