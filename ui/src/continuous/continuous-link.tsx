// From a recording to the continuous data of its pod around it: the timeline from half an hour before
// its start to half an hour after its end, with the recording's own span brushed. Shown only where the
// server has continuous profiling (agent mode); a namespace without windows opens on a timeline that says so.
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { followLink } from '../routing/router.ts';
import { continuousHref } from './continuous-href.ts';
import { useContinuousAvailable } from './use-continuous-available.ts';

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
