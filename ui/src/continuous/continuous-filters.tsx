// What the timeline shows: the namespace (those with continuous data the caller may view; a text field
// when the server cannot list them), the workload, pod and container seen in the range, and the range.
import type { TimelineView } from '../../../core/continuous/continuous-timeline.ts';
import { LabelledSelect } from '../controls/labelled-select.tsx';
import { usePolling } from '../shell/use-polling.ts';
import type { ContinuousParams, TimeRange } from './continuous-url.ts';
import { loadNamespaces } from './load-continuous.ts';

const PRESETS = [
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { label: 'Last day', ms: 24 * 3_600_000 },
  { label: 'Last 7 days', ms: 7 * 24 * 3_600_000 },
];

export interface ContinuousFiltersProps {
  params: ContinuousParams;
  view: TimelineView | undefined;
  onParams: (patch: Partial<ContinuousParams>) => void;
  onRange: (range: TimeRange) => void;
}

function NamespaceField({ params, onParams }: Pick<ContinuousFiltersProps, 'params' | 'onParams'>) {
  const listed = usePolling(loadNamespaces, 0, 'namespaces');
  const names = (listed.data?.items ?? []).map((item) => item.namespace);
  const current = params.namespace ?? '';
  const pick = (namespace: string): void =>
    onParams({
      namespace: namespace || undefined,
      workload: undefined,
      pod: undefined,
      container: undefined,
      a: undefined,
      b: undefined,
    });
  if (listed.error || (listed.data && names.length === 0))
    return (
      <div class="field">
        <label for="continuous-namespace">Namespace</label>
        <input
          id="continuous-namespace"
          value={current}
          placeholder="shop"
          onChange={(event) => pick(event.currentTarget.value.trim())}
        />
        <small class="hint">
          {listed.error
            ? 'The server could not list namespaces with continuous data; type one you may view.'
            : 'No namespace you may view has continuous data yet; type one to look anyway.'}
        </small>
      </div>
    );
  return (
    <LabelledSelect
      id="continuous-namespace"
      label="Namespace"
      value={current}
      none={listed.data ? 'Choose a namespace' : 'Loading namespaces…'}
      names={current && !names.includes(current) ? [current, ...names] : names}
      onValue={pick}
    />
  );
}

export function ContinuousFilters({ params, view, onParams, onRange }: ContinuousFiltersProps) {
  const choices = (field: 'workloads' | 'pods' | 'containers', value: string | undefined): string[] => {
    const names = view?.[field] ?? [];
    return value && !names.includes(value) ? [value, ...names] : names;
  };
  const reset = { a: undefined, b: undefined };
  return (
    <div class="continuous-filters">
      <NamespaceField params={params} onParams={onParams} />
      <LabelledSelect
        id="continuous-workload"
        label="Workload"
        value={params.workload ?? ''}
        none="Every workload"
        names={choices('workloads', params.workload)}
        disabled={!params.namespace}
        onValue={(workload) => onParams({ workload: workload || undefined, ...reset })}
      />
      <LabelledSelect
        id="continuous-pod"
        label="Pod"
        value={params.pod ?? ''}
        none="Every pod"
        names={choices('pods', params.pod)}
        disabled={!params.namespace}
        onValue={(pod) => onParams({ pod: pod || undefined, ...reset })}
      />
      <LabelledSelect
        id="continuous-container"
        label="Container"
        value={params.container ?? ''}
        none="Every container"
        names={choices('containers', params.container)}
        disabled={!params.namespace}
        onValue={(container) => onParams({ container: container || undefined, ...reset })}
      />
      <div class="range-presets" role="group" aria-label="Time range">
        {PRESETS.map((preset) => (
          <button
            key={preset.label}
            type="button"
            onClick={() => {
              const now = Date.now();
              onRange({ from: now - preset.ms, to: now });
            }}
          >
            {preset.label}
          </button>
        ))}
      </div>
    </div>
  );
}
