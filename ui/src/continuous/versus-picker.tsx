// Beside a brushed range: compare it with the same range of another pod or workload (`vs` in the URL),
// as the differential graph from the selection to that one.
import type { TimelineView } from '../../../core/continuous/continuous-timeline.ts';
import { LabelledSelect } from '../controls/labelled-select.tsx';
import type { ContinuousParams } from './continuous-url.ts';

export interface VersusPickerProps {
  params: ContinuousParams;
  view: TimelineView;
  onParams: (patch: Partial<ContinuousParams>) => void;
}

export function VersusPicker({ params, view, onParams }: VersusPickerProps) {
  const mine = new Set([params.pod, params.workload]);
  const names = [...view.pods, ...view.workloads].filter((name) => !mine.has(name));
  if (names.length === 0 && !params.vs) return null;
  return (
    <LabelledSelect
      id="continuous-versus"
      label="Or compare range A with the pod or workload"
      value={params.vs ?? ''}
      none="No one"
      names={params.vs && !names.includes(params.vs) ? [params.vs, ...names] : names}
      onValue={(vs) => onParams({ vs: vs || undefined, b: undefined })}
    />
  );
}
