// Keeps perf.data current while perf records. perf record writes samples out of its ring buffers only
// when the kernel wakes it, once a buffer is half full (256 KiB a CPU by default): at 99 Hz that is more
// than the whole recording, so until the stop every sample is in memory, and a perf that has to be killed
// leaves a perf.data with none. A `ping` on perf's control FIFO wakes it as well: written every second, it
// makes perf write out what it has, so a kill costs at most the last second.
import { constants } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { LoopTimers } from '../../host/runtime.ts';

export interface PerfFlush {
  /** Starts the pings: perf must have opened the FIFO (it does before it writes perf.data's header). */
  start(): void;
  /** Stops the pings and removes the FIFO. */
  end(): Promise<void>;
}

/**
 * Pings perf through `fifo` every `everyMs` from `start` until `end`; nothing without a FIFO. Without a
 * reader, or when perf reads nothing (a full FIFO), a ping is skipped rather than waited for.
 */
export function perfFlush(timers: LoopTimers, fifo: string | undefined, everyMs: number): PerfFlush {
  let ended = false;
  let handle: FileHandle | undefined;
  let opened: Promise<unknown> = Promise.resolve();
  let timer: unknown;
  const ping = (): void => {
    if (ended) return;
    void handle
      ?.write('ping\n')
      .catch(() => undefined)
      .finally(() => {
        if (!ended) timer = timers.setTimeout(ping, everyMs);
      });
  };
  return {
    start() {
      if (fifo === undefined || ended) return;
      opened = open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).then(
        (h) => {
          handle = h;
          if (!ended) timer = timers.setTimeout(ping, everyMs);
        },
        () => undefined,
      );
    },
    async end() {
      if (ended) return;
      ended = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      await opened;
      await handle?.close().catch(() => undefined);
      if (fifo !== undefined) await rm(fifo, { force: true }).catch(() => undefined);
    },
  };
}
