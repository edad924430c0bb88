// The address of a pod's continuous timeline around a recording: half an hour before its start to half an hour
// after its end, with the recording's own span brushed.
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { formatLocation, DEFAULT_VIEW } from '../routing/url-state.ts';

const AROUND = 30 * 60_000;

export function continuousHref(entry: CatalogEntry): string | undefined {
  const start = Date.parse(entry.startedAt);
  if (!Number.isFinite(start)) return undefined;
  const parsedEnd = entry.endedAt ? Date.parse(entry.endedAt) : NaN;
  const end = Number.isFinite(parsedEnd) && parsedEnd > start ? parsedEnd : start + 1000;
  const params = {
    namespace: entry.namespace,
    pod: entry.pod,
    range: { from: start - AROUND, to: end + AROUND },
    a: { from: start, to: end },
  };
  return formatLocation({ page: { kind: 'continuous', params }, view: DEFAULT_VIEW });
}
