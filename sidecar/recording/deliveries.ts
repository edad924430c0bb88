// Whether the catalog has each recording, and sending again those it does not: at once after a restart,
// then with backoff (5 s doubling to 5 minutes), and whenever the recorder registers again (the server is
// back). Sending is the controller's; this keeps the states and the schedule.
import { backoffDelay } from '../../core/backoff.ts';
import type { LoopTimers } from '../host/runtime.ts';
import type { UploadState } from './recording-journal.ts';

const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;

export interface DeliveriesDeps {
  timers: LoopTimers;
  random(): number;
  /** Which of these pending recordings can be sent now (finished ones). */
  ready(ids: string[]): string[];
  /** Sends one recording again; true when the catalog took it. */
  resend(id: string): Promise<boolean>;
}

export class Deliveries {
  private readonly states = new Map<string, UploadState>();
  private handle: unknown;
  private failures = 0;
  private busy = false;
  private closed = false;

  private readonly deps: DeliveriesDeps;

  constructor(deps: DeliveriesDeps) {
    this.deps = deps;
  }

  state(id: string): UploadState | undefined {
    return this.states.get(id);
  }

  set(id: string, state: UploadState): void {
    this.states.set(id, state);
  }

  forget(id: string): void {
    this.states.delete(id);
  }

  isPending(id: string): boolean {
    return this.states.get(id) === 'pending';
  }

  /** Sends every pending recording that is ready; on a failure, tries again later. */
  retry(): void {
    if (this.busy || this.closed) return;
    const pending = [...this.states].filter(([, state]) => state === 'pending').map(([id]) => id);
    const ids = this.deps.ready(pending);
    if (ids.length === 0) return;
    this.deps.timers.clearTimeout(this.handle);
    this.busy = true;
    void (async () => {
      let failed = false;
      for (const id of ids) failed = !(await this.deps.resend(id)) || failed;
      this.busy = false;
      this.failures = failed ? this.failures + 1 : 0;
      if (failed) this.schedule();
    })();
  }

  /** A retry after `ms`, or after the backoff the failures so far call for. */
  schedule(ms?: number): void {
    if (this.closed) return;
    this.deps.timers.clearTimeout(this.handle);
    const delay = ms ?? backoffDelay(this.failures, this.deps.random(), RETRY_BASE_MS, RETRY_MAX_MS);
    this.handle = this.deps.timers.setTimeout(() => this.retry(), delay);
  }

  close(): void {
    this.closed = true;
    this.deps.timers.clearTimeout(this.handle);
  }
}
