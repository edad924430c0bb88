// Filters of the history table, applied to the catalog page in the browser. Pure.
import type { CatalogEntry } from '../../../core/contract/recording.ts';

export interface HistoryFilter {
  namespace: string;
  /** Matched against pod, container and recording id, any case. */
  text: string;
  state: string;
  /** Who started the recording; '' for anyone. */
  startedBy: string;
}

export const NO_FILTER: HistoryFilter = { namespace: '', text: '', state: '', startedBy: '' };

/** The distinct starters of the entries, sorted, for the filter's choices. */
export function startersOf(entries: readonly CatalogEntry[]): string[] {
  const names = entries.map((entry) => entry.startedBy).filter((name) => name !== undefined);
  return [...new Set(names)].sort();
}

export function filterEntries(entries: readonly CatalogEntry[], filter: HistoryFilter): CatalogEntry[] {
  const text = filter.text.trim().toLowerCase();
  return entries.filter(
    (entry) =>
      (filter.namespace === '' || entry.namespace === filter.namespace) &&
      (filter.state === '' || entry.state === filter.state) &&
      (filter.startedBy === '' || entry.startedBy === filter.startedBy) &&
      (text === '' ||
        [entry.pod, entry.container ?? '', entry.id].some((value) => value.toLowerCase().includes(text))),
  );
}
