// Filters of the history table, applied to the catalog page in the browser. Pure.
import type { CatalogEntry } from '../../../core/recording.ts';

export interface HistoryFilter {
  namespace: string;
  /** Matched against pod, container and recording id, any case. */
  text: string;
  state: string;
}

export const NO_FILTER: HistoryFilter = { namespace: '', text: '', state: '' };

export function filterEntries(entries: readonly CatalogEntry[], filter: HistoryFilter): CatalogEntry[] {
  const text = filter.text.trim().toLowerCase();
  return entries.filter(
    (entry) =>
      (filter.namespace === '' || entry.namespace === filter.namespace) &&
      (filter.state === '' || entry.state === filter.state) &&
      (text === '' ||
        [entry.pod, entry.container ?? '', entry.id].some((value) => value.toLowerCase().includes(text))),
  );
}
