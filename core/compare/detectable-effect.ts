// The smallest change the comparison flags for a function of a given share, at given sample counts: what a
// recording of that length can tell and what it cannot.
import { DEFAULT_COMPARE_OPTIONS, type CompareOptions } from './regression.ts';
import { normalQuantileUpper } from './normal-tail.ts';

export interface DetectableEffect {
  /** The smallest factor by which the function's share must grow to be flagged (Infinity: never). */
  ratio: number;
  /** Its share after such a change, when the rest of the program did not change. */
  share: number;
}

/**
 * The smallest growth flagged for a function with `share` of `samples` samples on both sides, when it is
 * the only discovery among `tested` functions (Benjamini–Hochberg then asks p ≤ significance / tested).
 */
export function smallestDetectable(
  share: number,
  samples: number,
  tested: number,
  options: CompareOptions = {},
): DetectableEffect {
  const settings = { ...DEFAULT_COMPARE_OPTIONS, ...options };
  const critical = normalQuantileUpper(settings.significance / Math.max(1, tested) / 2);
  const before = share * samples;
  for (let ratio = settings.minRatio; ratio < 1000; ratio *= 1.001) {
    // The function's share after growing by `ratio` while the rest stays as it was.
    const after = (share * ratio) / (share * ratio + 1 - share);
    const variance = (1 - share) / before + (1 - after) / (after * samples);
    const z = Math.log(ratio) / Math.sqrt(settings.dispersion * variance);
    if (z >= critical && after - share >= settings.minEffect) return { ratio, share: after };
  }
  return { ratio: Infinity, share: 1 };
}
