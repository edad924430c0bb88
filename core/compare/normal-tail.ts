// The standard normal distribution's upper tail, for the p-values of z statistics.

/** P(Z ≥ z) for a standard normal Z; accurate to about 1e-7 relative (erfc by a Chebyshev fit). */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Two-sided p-value of a z statistic. */
export function twoSidedP(z: number): number {
  return Math.min(1, 2 * normalUpperTail(Math.abs(z)));
}

/** The z with P(Z ≥ z) = p (0 < p < 1), by bisection on normalUpperTail: exact enough for thresholds. */
export function normalQuantileUpper(p: number): number {
  let low = -40;
  let high = 40;
  for (let i = 0; i < 200; i++) {
    const mid = (low + high) / 2;
    if (normalUpperTail(mid) > p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

// Complementary error function with fractional error below 1.2e-7 everywhere (the Chebyshev fit published
// in Numerical Recipes, section 6.2).
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}
