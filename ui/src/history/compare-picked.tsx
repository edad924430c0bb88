// Compare for the two recordings ticked in the history table, the first ticked as the baseline, each
// named by its id and the user's note.
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { navigate } from '../routing/router.ts';

function named(id: string, entries: readonly CatalogEntry[]): string {
  const note = entries.find((entry) => entry.id === id)?.params.note;
  return note ? `${id} (“${note}”)` : id;
}

export function ComparePicked({
  picked,
  entries,
}: {
  picked: readonly string[];
  entries: readonly CatalogEntry[];
}) {
  const [before, after] = picked;
  return (
    <>
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
          ? `${named(before ?? '', entries)} → ${named(after ?? '', entries)}`
          : 'Tick two recordings to compare them (first ticked is the baseline).'}
      </span>
    </>
  );
}
