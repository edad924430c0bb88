// The catalog as a table: filters, open, downloads, delete, and two rows picked for Compare.
import { useState } from 'preact/hooks';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { getJson } from '../api/client.ts';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { usePolling } from '../shell/use-polling.ts';
import { ComparePicked } from './compare-picked.tsx';
import { filterEntries, NO_FILTER, type HistoryFilter } from './history-filter.ts';
import { HistoryFilters } from './history-filters.tsx';
import { InProgressTable } from './in-progress-table.tsx';
import { RecordingsTable } from './recordings-table.tsx';
import { useHistoryActions } from './use-history-actions.ts';

const POLL_MS = 10_000;

export function HistoryPage() {
  const catalog = usePolling(
    (signal) => getJson<{ items: CatalogEntry[]; continue?: string }>('/api/v1/recordings?limit=500', signal),
    POLL_MS,
    'catalog',
  );
  const [filter, setFilter] = useState<HistoryFilter>(NO_FILTER);
  const actions = useHistoryActions(catalog.reload);
  if (catalog.error && !catalog.data)
    return <ErrorScreen error={catalog.error} what="the recordings" onRetry={catalog.reload} />;
  if (!catalog.data) return <p class="loading">Loading recordings…</p>;
  const entries = catalog.data.items;
  const cataloged = new Set(entries.map((entry) => entry.id));
  return (
    <section class="history" aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <div class="filters">
        <HistoryFilters entries={entries} filter={filter} onFilter={setFilter} />
        <ComparePicked picked={actions.picked} entries={entries} />
      </div>
      {actions.problem ? <ErrorScreen error={actions.problem} what="the deletion" /> : null}
      <InProgressTable cataloged={cataloged} onFinished={catalog.reload} />
      {entries.length === 0 ? (
        <p class="notice">
          No recordings yet. Record one on the Record page; finished recordings are kept here.
        </p>
      ) : null}
      <RecordingsTable entries={filterEntries(entries, filter)} actions={actions} />
      {catalog.data.continue ? <p class="hint">Showing the newest 500 recordings.</p> : null}
    </section>
  );
}
