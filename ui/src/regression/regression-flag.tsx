// The regression flag of a recording: how it compares with the recording of its workload before it and
// with the workload's pinned baseline (GET /api/v1/recordings/:id/regression), each a link that opens the
// comparison (the differential flame graph and its table). `compact` is History's one-line form.
import type { ComparisonKind, RegressionAnswer } from '../../../core/compare/regression.ts';
import { apiPath, getJson } from '../api/client.ts';
import { followLink } from '../routing/router.ts';
import { formatPage } from '../routing/url-state.ts';
import { usePolling } from '../shell/use-polling.ts';
import { describeChange, verdictLabel } from './describe-comparison.ts';

type Comparison = RegressionAnswer['comparisons'][number];

const KIND: Record<ComparisonKind, string> = {
  previous: 'the recording before',
  baseline: 'the pinned baseline',
  chosen: 'the chosen recording',
};

function ComparisonLink({
  id,
  comparison,
  compact,
}: {
  id: string;
  comparison: Comparison;
  compact: boolean;
}) {
  const href = formatPage({ kind: 'compare', before: comparison.against, after: id });
  const changes = comparison.functions.filter((row) => row.verdict !== 'unchanged').slice(0, compact ? 1 : 3);
  return (
    <a
      class={`regression-flag regression-${comparison.verdict}`}
      href={href}
      onClick={followLink}
      aria-label={`${verdictLabel(comparison.verdict)} against ${KIND[comparison.kind]} ${comparison.against}: open the comparison`}
    >
      <strong>{verdictLabel(comparison.verdict)}</strong>
      {compact ? null : ` against ${KIND[comparison.kind]} (${comparison.against})`}
      {changes.length > 0 ? `: ${changes.map(describeChange).join('; ')}` : null}
    </a>
  );
}

/**
 * `revision` changes when the list the flag stands in does (History's catalog): the recording before this
 * one may have been deleted or added, so the comparison is asked again rather than left pointing at a
 * recording that is gone.
 */
export function RegressionFlag({
  id,
  compact = false,
  revision = '',
}: {
  id: string;
  compact?: boolean;
  revision?: string;
}) {
  const loaded = usePolling(
    (signal) => getJson<RegressionAnswer>(apiPath`/api/v1/recordings/${id}/regression`, signal),
    0,
    `${id} ${revision}`,
  );
  if (loaded.error) return compact ? <span class="regression-none">—</span> : null;
  const comparisons = loaded.data?.comparisons ?? [];
  if (comparisons.length === 0) return compact ? <span class="regression-none">—</span> : null;
  const shown = compact ? comparisons.slice(0, 1) : comparisons;
  return (
    <div class="regression" role="status">
      {shown.map((comparison) => (
        <ComparisonLink key={comparison.kind} id={id} comparison={comparison} compact={compact} />
      ))}
    </div>
  );
}
