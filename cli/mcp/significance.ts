// Whether a function's share of samples changed beyond chance between two recordings: a two-proportion
// z-test on its sample counts, with a minimum effect. Samples of one run are not independent draws, so
// the threshold is strict (|z| ≥ 4, about p < 0.0001 two-sided) and a change under one percentage
// point is never called significant.

export const Z_THRESHOLD = 4;
export const MIN_EFFECT = 0.01;

export interface Significance {
  /** The z statistic (positive: a larger share after). */
  z: number;
  significant: boolean;
  /** `significant`, `not significant` or `too few samples`, as the text says it. */
  verdict: string;
}

export function significance(
  before: { samples: number; total: number },
  after: { samples: number; total: number },
): Significance {
  if (before.total === 0 || after.total === 0)
    return { z: 0, significant: false, verdict: 'too few samples' };
  const p1 = before.samples / before.total;
  const p2 = after.samples / after.total;
  const pooled = (before.samples + after.samples) / (before.total + after.total);
  const spread = Math.sqrt(pooled * (1 - pooled) * (1 / before.total + 1 / after.total));
  const z = spread > 0 ? (p2 - p1) / spread : 0;
  const significant = Math.abs(z) >= Z_THRESHOLD && Math.abs(p2 - p1) >= MIN_EFFECT;
  return {
    z: Math.round(z * 100) / 100,
    significant,
    verdict: significant ? 'significant' : 'not significant',
  };
}

significance.method =
  `two-proportion z-test on self sample counts; significant when |z| ≥ ${Z_THRESHOLD} and the share moved ` +
  `by at least ${MIN_EFFECT * 100} percentage point`;
