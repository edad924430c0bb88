// The comparison's options and results: what compareProfiles returns to the server, the operator, the CLI
// and the UI.

export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'not-comparable';

export interface CompareOptions {
  /** Smallest change of a function's self share, in share (0.01 = 1 point), that may be flagged. */
  minEffect?: number;
  /** Smallest factor by which a function must grow or shrink against the unchanged rest of the program (1.2 = 20 %). */
  minRatio?: number;
  /** The false discovery rate of Benjamini–Hochberg over the functions tested. */
  significance?: number;
  /**
   * How much more two recordings of an unchanged program vary than independent samples would: the log odds
   * ratio's variance is multiplied by it (a quasi-binomial dispersion). Samples taken at a fixed period are
   * not independent, and a program's own cost moves with its neighbours on a loaded node.
   */
  dispersion?: number;
  /** How many function rows the result lists (flagged and not comparable ones first). */
  top?: number;
  /** Profiles with fewer samples on either side are not compared. */
  minSamples?: number;
  /**
   * Counts per sample: the test needs samples, and folded counts are often weights (perf's cpu-clock sums
   * sample periods in nanoseconds). 'auto' takes the greatest common divisor of every stack's count of
   * both profiles, which is one sample's period when the period is fixed (cpu-clock at a set frequency,
   * what Furnace records).
   */
  countPerSample?: number | 'auto';
}

export const DEFAULT_COMPARE_OPTIONS: Readonly<Required<CompareOptions>> = Object.freeze<
  Required<CompareOptions>
>({
  minEffect: 0.01,
  minRatio: 1.2,
  significance: 0.01,
  dispersion: 2,
  top: 10,
  minSamples: 100,
  countPerSample: 'auto',
});

export interface FunctionShares {
  /** Samples with the function as the innermost frame. */
  self: number;
  /** Samples with the function anywhere on the stack. */
  total: number;
  selfShare: number;
  totalShare: number;
}

export type NotComparableReason = 'only-before' | 'only-after';

export interface FunctionComparison {
  name: string;
  before: FunctionShares;
  after: FunctionShares;
  /** after − before self share. */
  selfChange: number;
  totalChange: number;
  /** Its samples per sample of the unchanged rest of the program, after over before: 3 = three times as expensive. */
  ratio: number;
  /** z of the log of ratio (a 2×2 log odds ratio); 0 for a function not tested. */
  z: number;
  /** Two-sided p-value of z, and the Benjamini–Hochberg adjusted one (1 for a function not tested). */
  p: number;
  q: number;
  verdict: Verdict;
  reason?: NotComparableReason;
}

export type ProfileReason = 'too-few-samples-before' | 'too-few-samples-after' | 'functions-not-matched';

export interface ProfileComparison {
  verdict: Verdict;
  reasons: ProfileReason[];
  beforeSamples: number;
  afterSamples: number;
  /** How the share of the unchanged rest of the program moved, after over before (1 when nothing changed). */
  background: number;
  /** Functions tested (those whose share on either side reaches minEffect). */
  tested: number;
  /** The largest |z| of a flagged function, else of any tested function (0 when none was tested). */
  statistic: number;
  /** Flagged and not comparable functions first (largest share change first), then the largest movers; at most `top`. */
  functions: FunctionComparison[];
  options: Required<CompareOptions>;
}

export type ComparisonKind = 'previous' | 'baseline' | 'chosen';

/** GET /api/v1/recordings/:id/regression: the recording (after) against each earlier one (before). */
export interface RegressionAnswer {
  id: string;
  /** The workload of a pinned baseline the recording belongs to (`<kind>/<name>`). */
  workload?: string;
  comparisons: (ProfileComparison & { kind: ComparisonKind; against: string })[];
}
