// The recording's stacks in the field's own formats, one function for every place that writes them (the
// sidecar after a recording, the server for a merge). Pure but for gzip.
import { foldedToOtlp } from '../otlp/write-otlp.ts';
import { foldedToPprof } from '../pprof/write-pprof.ts';
import type { FoldedStacks } from '../stacks/folded.ts';
import { otelResourceAttributes, pprofLabels, type ProfileExportMeta } from './profile-subject.ts';

/** Exported profiles, in the order they are written and uploaded. */
export const EXPORT_ARTIFACTS = ['profile.pb.gz', 'profile.otlp.pb'] as const;
export type ExportArtifact = (typeof EXPORT_ARTIFACTS)[number];

/**
 * One exported profile of the stacks: `profile.pb.gz` is pprof, gzipped; `profile.otlp.pb` an OTLP
 * ExportProfilesServiceRequest (protobuf, not compressed, as OTLP/HTTP sends it).
 */
export function exportProfile(name: ExportArtifact, stacks: FoldedStacks, meta: ProfileExportMeta): Buffer {
  switch (name) {
    case 'profile.pb.gz':
      return foldedToPprof(stacks, {
        frequency: meta.frequency,
        startedAtMs: meta.startedAtMs,
        durationMs: meta.durationMs,
        labels: pprofLabels(meta.subject),
      });
    case 'profile.otlp.pb':
      return Buffer.from(
        foldedToOtlp(stacks, {
          frequency: meta.frequency,
          startedAtMs: meta.startedAtMs,
          durationMs: meta.durationMs,
          resource: otelResourceAttributes(meta.subject),
        }),
      );
  }
}
