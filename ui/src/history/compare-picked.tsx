// Compare for the two recordings ticked in the history table, the first ticked as the baseline.
import { navigate } from '../routing/router.ts';

export function ComparePicked({ picked }: { picked: readonly string[] }) {
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
          ? `${before} → ${after}`
          : 'Tick two recordings to compare them (first ticked is the baseline).'}
      </span>
    </>
  );
}
