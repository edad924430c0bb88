// What the exported profiles of a merge say: the namespace, pod, container and workload that all merged
// recordings share (a part they do not share is left out), from the first start to the last end, at the
// recordings' sampling frequency (the lowest when they differ: a merge adds sample counts as they are).
// Pure.
import { exportValueType, sharedProfile } from '../../core/contract/profile-types.ts';
import type { CatalogEntry } from '../../core/contract/recording.ts';
import {
  owningWorkload,
  samplingFrequency,
  type ProfileExportMeta,
  type ProfileSubject,
} from '../../core/export/profile-subject.ts';

/** The value every entry has, or undefined when they differ or one has none. */
function shared(values: (string | undefined)[]): string | undefined {
  const [first] = values;
  return values.every((value) => value === first) ? first : undefined;
}

function subjectOf(entries: readonly CatalogEntry[]): ProfileSubject {
  const subject: ProfileSubject = {};
  const namespace = shared(entries.map((e) => e.namespace));
  const pod = shared(entries.map((e) => e.pod));
  const container = shared(entries.map((e) => e.container ?? e.params.container));
  const service = shared(entries.map((e) => owningWorkload(e.pod)));
  if (namespace !== undefined) subject.namespace = namespace;
  if (pod !== undefined) subject.pod = pod;
  if (container !== undefined) subject.container = container;
  if (service !== undefined) subject.service = service;
  return subject;
}

export function mergedExportMeta(entries: readonly CatalogEntry[]): ProfileExportMeta {
  const starts = entries.map((e) => Date.parse(e.startedAt));
  const ends = entries.map((e) =>
    e.endedAt === undefined
      ? Date.parse(e.startedAt) + e.params.durationSeconds * 1000
      : Date.parse(e.endedAt),
  );
  const startedAtMs = Math.min(...starts);
  const valueType = exportValueType(sharedProfile(entries));
  return {
    ...(valueType === undefined ? {} : { valueType }),
    frequency: Math.min(...entries.map((e) => samplingFrequency(e.profiler, e.params.frequency))),
    startedAtMs,
    durationMs: Math.max(0, Math.max(...ends) - startedAtMs),
    subject: subjectOf(entries),
  };
}
