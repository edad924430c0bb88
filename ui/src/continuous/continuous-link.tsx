// From a recording to the continuous data of its pod around it: the timeline from half an hour before
// its start to half an hour after its end, with the recording's own span brushed. Shown only where the
// server has continuous profiling (agent mode); a namespace without windows opens on a timeline that says so.
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { followLink } from '../routing/router.ts';
import { formatLocation, DEFAULT_VIEW } from '../routing/url-state.ts';
import { useContinuousAvailable } from './use-continuous-available.ts';

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

export function ContinuousLink({ entry }: { entry: CatalogEntry }) {
  const href = continuousHref(entry);
  const available = useContinuousAvailable();
  if (!href || available !== true) return null;
  return (
    <a class="continuous-link" href={href} onClick={followLink}>
      Continuous data around this recording
    </a>
  );
}
