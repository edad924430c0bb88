// The words of a comparison's verdict and of one function's change. Pure.
import type { FunctionComparison, Verdict } from '../../../core/compare/regression.ts';

export function verdictLabel(verdict: Verdict): string {
  switch (verdict) {
    case 'regressed':
      return 'Regressed';
    case 'improved':
      return 'Improved';
    case 'not-comparable':
      return 'Not comparable';
    case 'unchanged':
      return 'No significant change';
  }
}

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;

/** `furnace_beta 21.0% → 44.3% (×3.0)`, or `furnace_beta only before` for a name on one side only. */
export function describeChange(row: FunctionComparison): string {
  if (row.reason === 'only-before') return `${row.name} only before`;
  if (row.reason === 'only-after') return `${row.name} only after`;
  return `${row.name} ${percent(row.before.selfShare)} → ${percent(row.after.selfShare)} (×${row.ratio.toFixed(1)})`;
}
