// Keeps perf.data current while perf records. perf record writes samples out of its ring buffers only
// when the kernel wakes it, once a buffer is half full (256 KiB a CPU by default): at 99 Hz that is more
// than the whole recording, so until the stop every sample is in memory, and a perf that has to be killed
// leaves a perf.data with none. A `ping` on perf's control FIFO wakes it as well: written every second, it
// makes perf write out what it has, so a kill costs at most the last second.
import type { LoopTimers } from '../../host/runtime.ts';
import type { PerfControl } from './perf-control.ts';

export interface PerfFlush {
  /** Starts the pings through perf's control FIFO; nothing without one. */
  start(control: PerfControl | undefined): void;
  /** Stops the pings. */
  end(): void;
}

/**
 * Pings perf every `everyMs` from `start` until `end`. When perf reads nothing (a full FIFO), a ping is
 * dropped rather than waited for.
 */
export function perfFlush(timers: LoopTimers, everyMs: number): PerfFlush {
  let ended = false;
  let started = false;
  let timer: unknown;
  return {
    start(control) {
      if (control === undefined || ended || started) return;
      started = true;
      const ping = (): void => {
        if (ended) return;
        void control.send('ping').finally(() => {
          if (!ended) timer = timers.setTimeout(ping, everyMs);
        });
      };
      timer = timers.setTimeout(ping, everyMs);
    },
    end() {
      ended = true;
      if (timer !== undefined) timers.clearTimeout(timer);
    },
  };
}
