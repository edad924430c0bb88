// Reads that wait: GET /recordings/:id/artifacts/:name?wait=true answers as soon as the recording lists the
// artifact, not when the next status poll would have told the page (the record page opens its read of
// flame-tree.bin.gz when Stop is clicked: bench:stop-to-graph); GET /recordings/:id?waitSeconds=N answers as
// soon as the recording is done or failed (the operator's rollout watch: bench:rollout-event). A wait ends
// when the artifact is listed (a wait for the end names none), when the recording is no longer active (done
// or failed: listed or never will be), or after its time; the read then answers as it would have without
// waiting. At most MAX_ARTIFACT_WAITS reads wait at once: one more answers at once, as without waiting (the
// caller polls again), so that readers cannot hold an unbounded number of sockets and timers open on the
// recorder.
import type { ArtifactName } from '../../core/contract/names.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import type { LoopTimers } from '../host/runtime.ts';
import { isActive } from './recording-machine.ts';

/** The longest a read waits: below the server proxy's default answer timeout (30 s). */
export const ARTIFACT_WAIT_MS = 20_000;

/** Reads waiting at once, across recordings: a few open pages per recording is the expected use. */
export const MAX_ARTIFACT_WAITS = 64;

interface Waiter {
  id: string;
  /** undefined: the wait is for the recording's end only. */
  name: ArtifactName | undefined;
  end(): void;
}

/** Whether a read of `name` (or of the status, with no name) from a recording in `status` need wait no longer. Pure. */
export function waitIsOver(status: RecordingStatus | undefined, name: ArtifactName | undefined): boolean {
  if (status === undefined || !isActive(status)) return true;
  return name !== undefined && status.artifacts.includes(name);
}

export class ArtifactWaits {
  private readonly waiters = new Set<Waiter>();

  private readonly timers: LoopTimers;

  constructor(timers: LoopTimers) {
    this.timers = timers;
  }

  /**
   * Resolves once `waitIsOver` for the status `current` gives, re-checked on each `changed(id, …)`, or after
   * `ms`; at once when MAX_ARTIFACT_WAITS reads already wait.
   */
  wait(
    id: string,
    name: ArtifactName | undefined,
    current: RecordingStatus | undefined,
    ms: number,
  ): Promise<void> {
    if (waitIsOver(current, name) || this.waiters.size >= MAX_ARTIFACT_WAITS) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        id,
        name,
        end: () => {
          this.timers.clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = this.timers.setTimeout(() => waiter.end(), ms);
      this.waiters.add(waiter);
    });
  }

  /** A recording's status changed: the reads it ends go on. */
  changed(id: string, status: RecordingStatus | undefined): void {
    for (const waiter of [...this.waiters])
      if (waiter.id === id && waitIsOver(status, waiter.name)) waiter.end();
  }

  /** Ends every wait (the recorder closes). */
  close(): void {
    for (const waiter of [...this.waiters]) waiter.end();
  }
}
