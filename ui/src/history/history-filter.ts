// Filters of the history table, applied to the catalog page in the browser. Pure.
import type { CatalogEntry } from '../../../core/contract/recording.ts';

export interface HistoryFilter {
  namespace: string;
  /** Matched against pod, container, recording id and note, any case. */
  text: string;
  state: string;
  /** Who started the recording; '' for anyone. */
  startedBy: string;
  /** Matched against the recorded processes' names and PIDs and the pattern asked for, any case. */
  process: string;
}

export const NO_FILTER: HistoryFilter = { namespace: '', text: '', state: '', startedBy: '', process: '' };

/** True when a recorded process's name or PID, or the pattern asked for, holds the text. */
export function recordedProcess(entry: CatalogEntry, text: string): boolean {
  const wanted = text.trim().toLowerCase();
  if (wanted === '') return true;
  const names = (entry.targets ?? []).flatMap((t) => [t.comm, String(t.pid)]);
  const asked = [
    entry.params.processPattern ?? '',
    entry.params.pid === undefined ? '' : String(entry.params.pid),
  ];
  return [...names, ...asked].some((value) => value.toLowerCase().includes(wanted));
}

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
      recordedProcess(entry, filter.process) &&
      (text === '' ||
        [entry.pod, entry.container ?? '', entry.id, entry.params.note ?? ''].some((value) =>
          value.toLowerCase().includes(text),
        )),
  );
}
