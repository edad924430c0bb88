// What perf's end means for the recording: a failure in words when it left nothing usable, warnings when it
// was cut short (size cap, a repaired file) or the image's symbols could not be had.
import type { SidecarConfig } from '../../config.ts';
import type { ImageMount } from '../../symbols/image-symbols.ts';
import type { RunContext } from '../profiler.ts';
import type { AttachResult } from './perf-attach.ts';
import { explainPerfFailure } from './perf-failures.ts';

/** Fails the recording when perf left nothing usable; warns when it was cut short or lacks image symbols. */
export function checkPerf(
  config: SidecarConfig,
  run: RunContext,
  result: AttachResult,
  recorded: { image: ImageMount | Error | undefined; cap: number; event: string },
): void {
  const { image, cap } = recorded;
  if (!result.ok) {
    if (result.failure !== undefined) throw new Error(result.failure);
    throw new Error(explainPerfFailure({ ...result, event: recorded.event }));
  }
  if (result.warning !== undefined) run.report({ type: 'warning', message: result.warning });
  if (result.reason === 'size-cap') {
    const why = cap < config.maxPerfDataBytes ? ', a share of the free disk budget' : '';
    run.report({
      type: 'warning',
      message: `perf.data reached its size cap (${cap} bytes${why}): recording stopped early`,
    });
  }
  if (image instanceof Error)
    run.report({ type: 'warning', kind: 'symbols', message: `symbols from the image: ${image.message}` });
}
