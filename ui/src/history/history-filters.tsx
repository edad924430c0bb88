// The filter fields above the history table: namespace, free text, state and who started a recording.
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { LabelledSelect } from '../controls/labelled-select.tsx';
import { startersOf, type HistoryFilter } from './history-filter.ts';

const STATES = ['done', 'failed'];

export interface HistoryFiltersProps {
  entries: readonly CatalogEntry[];
  filter: HistoryFilter;
  onFilter: (filter: HistoryFilter) => void;
}

export function HistoryFilters({ entries, filter, onFilter }: HistoryFiltersProps) {
  const namespaces = [...new Set(entries.map((entry) => entry.namespace))].sort();
  return (
    <>
      <LabelledSelect
        id="filter-namespace"
        label="Namespace filter"
        value={filter.namespace}
        none="All namespaces"
        names={namespaces}
        onValue={(namespace) => onFilter({ ...filter, namespace })}
      />
      <div class="field">
        <label for="filter-text">Filter by pod, container, ID or note</label>
        <input
          id="filter-text"
          type="search"
          value={filter.text}
          onInput={(e) => onFilter({ ...filter, text: e.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for="filter-process">Filter by process</label>
        <input
          id="filter-process"
          type="search"
          value={filter.process}
          onInput={(e) => onFilter({ ...filter, process: e.currentTarget.value })}
        />
      </div>
      <LabelledSelect
        id="filter-state"
        label="State"
        value={filter.state}
        none="Any state"
        names={STATES}
        onValue={(state) => onFilter({ ...filter, state })}
      />
      <LabelledSelect
        id="filter-started-by"
        label="Started by"
        value={filter.startedBy}
        none="Anyone"
        names={startersOf(entries)}
        onValue={(startedBy) => onFilter({ ...filter, startedBy })}
      />
    </>
  );
}
