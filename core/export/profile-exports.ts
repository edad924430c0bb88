// The recording's stacks in the field's own formats, one function for every place that writes them (the
// sidecar after a recording, the server for a merge). Pure but for gzip.
import type { BinaryWriter } from '@bufbuild/protobuf/wire';
import { foldedToOtlp } from '../otlp/write-otlp.ts';
import { foldedToPprof } from '../pprof/write-pprof.ts';
import type { FoldedStacks } from '../stacks/folded.ts';
import type { InternedStacks } from '../stacks/interned.ts';
import { otelResourceAttributes, pprofLabels, type ProfileExportMeta } from './profile-subject.ts';

/** Exported profiles, in the order they are written and uploaded. */
export const EXPORT_ARTIFACTS = ['profile.pb.gz', 'profile.otlp.pb'] as const;
export type ExportArtifact = (typeof EXPORT_ARTIFACTS)[number];

/**
 * One exported profile of the stacks: `profile.pb.gz` is pprof, gzipped; `profile.otlp.pb` an OTLP
 * ExportProfilesServiceRequest (protobuf, not compressed, as OTLP/HTTP sends it). A caller writing both
 * interns the stacks once (core/stacks/interned.ts) and passes the tables, and one writer, to each.
 */
export function exportProfile(
  name: ExportArtifact,
  stacks: FoldedStacks | InternedStacks,
  meta: ProfileExportMeta,
  writer?: BinaryWriter,
): Buffer {
  switch (name) {
    case 'profile.pb.gz':
      return foldedToPprof(
        stacks,
        {
          frequency: meta.frequency,
          startedAtMs: meta.startedAtMs,
          durationMs: meta.durationMs,
          labels: pprofLabels(meta.subject),
        },
        writer,
      );
    case 'profile.otlp.pb': {
      const bytes = foldedToOtlp(
        stacks,
        {
          frequency: meta.frequency,
          startedAtMs: meta.startedAtMs,
          durationMs: meta.durationMs,
          resource: otelResourceAttributes(meta.subject),
        },
        writer,
      );
      // The same memory as a Buffer, not a copy of it.
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  }
}
