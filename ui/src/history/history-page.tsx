// The catalog as a table: filters, open, downloads, delete, and two rows picked for Compare.
import { useState } from 'preact/hooks';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { apiPath, deleteJson, getJson } from '../api/client.ts';
import { followLink, navigate } from '../routing/router.ts';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { usePolling } from '../shell/use-polling.ts';
import { Downloads } from '../pages/downloads.tsx';
import { durationOf, formatTime } from '../pages/recording-summary.tsx';
import { filterEntries, NO_FILTER, startersOf, type HistoryFilter } from './history-filter.ts';

const POLL_MS = 10_000;

export function HistoryPage() {
  const catalog = usePolling(
    (signal) => getJson<{ items: CatalogEntry[]; continue?: string }>('/api/v1/recordings?limit=500', signal),
    POLL_MS,
    'catalog',
  );
  const [filter, setFilter] = useState<HistoryFilter>(NO_FILTER);
  const [picked, setPicked] = useState<string[]>([]);
  const [confirming, setConfirming] = useState('');
  const [problem, setProblem] = useState<unknown>(undefined);
  if (catalog.error && !catalog.data)
    return <ErrorScreen error={catalog.error} what="the recordings" onRetry={catalog.reload} />;
  if (!catalog.data) return <p class="loading">Loading recordings…</p>;
  const entries = catalog.data.items;
  const shown = filterEntries(entries, filter);
  const namespaces = [...new Set(entries.map((entry) => entry.namespace))].sort();
  const starters = startersOf(entries);
  const toggle = (id: string): void =>
    setPicked((old) => (old.includes(id) ? old.filter((x) => x !== id) : [...old.slice(-1), id]));
  const remove = (id: string): void => {
    setConfirming('');
    deleteJson(apiPath`/api/v1/recordings/${id}`).then(() => {
      setPicked((old) => old.filter((x) => x !== id));
      catalog.reload();
    }, setProblem);
  };
  const [before, after] = picked;
  return (
    <section class="history" aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <div class="filters">
        <div class="field">
          <label for="filter-namespace">Namespace filter</label>
          <select
            id="filter-namespace"
            value={filter.namespace}
            onChange={(e) => setFilter({ ...filter, namespace: e.currentTarget.value })}
          >
            <option value="">All namespaces</option>
            {namespaces.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-text">Filter by pod, container or ID</label>
          <input
            id="filter-text"
            type="search"
            value={filter.text}
            onInput={(e) => setFilter({ ...filter, text: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="filter-state">State</label>
          <select
            id="filter-state"
            value={filter.state}
            onChange={(e) => setFilter({ ...filter, state: e.currentTarget.value })}
          >
            <option value="">Any state</option>
            <option value="done">done</option>
            <option value="failed">failed</option>
          </select>
        </div>
        <div class="field">
          <label for="filter-started-by">Started by</label>
          <select
            id="filter-started-by"
            value={filter.startedBy}
            onChange={(e) => setFilter({ ...filter, startedBy: e.currentTarget.value })}
          >
            <option value="">Anyone</option>
            {starters.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          disabled={!before || !after}
          aria-describedby="compare-hint"
          onClick={() =>
            before && after && navigate(`/compare/${encodeURIComponent(before)}/${encodeURIComponent(after)}`)
          }
        >
          Compare
        </button>
        <span id="compare-hint" class="hint">
          {picked.length === 2
            ? `${before} → ${after}`
            : 'Tick two recordings to compare them (first ticked is the baseline).'}
        </span>
      </div>
      {problem ? <ErrorScreen error={problem} what="the deletion" /> : null}
      {entries.length === 0 ? (
        <p class="notice">
          No recordings yet. Record one on the Record page; finished recordings are kept here.
        </p>
      ) : null}
      <table class="recordings">
        <caption>Recordings</caption>
        <thead>
          <tr>
            <th scope="col">Pick</th>
            <th scope="col">Recording</th>
            <th scope="col">Pod</th>
            <th scope="col">Container</th>
            <th scope="col">Started</th>
            <th scope="col">Started by</th>
            <th scope="col">Duration</th>
            <th scope="col">Samples</th>
            <th scope="col">State</th>
            <th scope="col">Downloads</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((entry) => (
            <tr key={entry.id}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Pick ${entry.id} for comparison`}
                  checked={picked.includes(entry.id)}
                  onChange={() => toggle(entry.id)}
                />
              </td>
              <th scope="row">
                <a href={`/recordings/${encodeURIComponent(entry.id)}`} onClick={followLink}>
                  {entry.id}
                </a>
              </th>
              <td>
                {entry.namespace}/{entry.pod}
              </td>
              <td>{entry.container ?? entry.params.container ?? '—'}</td>
              <td>
                <time dateTime={entry.startedAt}>{formatTime(entry.startedAt)}</time>
              </td>
              <td>{entry.startedBy ?? '—'}</td>
              <td>{durationOf(entry)}</td>
              <td>{entry.samples?.toLocaleString('en') ?? '—'}</td>
              <td title={entry.error}>{entry.state}</td>
              <td>
                <Downloads entry={entry} label={`Downloads of ${entry.id}`} />
              </td>
              <td>
                {confirming === entry.id ? (
                  <>
                    <button type="button" class="danger" onClick={() => remove(entry.id)}>
                      Confirm delete
                    </button>
                    <button type="button" onClick={() => setConfirming('')}>
                      Cancel
                    </button>
                  </>
                ) : (
                  <button
                    type="button"
                    aria-label={`Delete ${entry.id}`}
                    onClick={() => setConfirming(entry.id)}
                  >
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {catalog.data.continue ? <p class="hint">Showing the newest 500 recordings.</p> : null}
    </section>
  );
}
