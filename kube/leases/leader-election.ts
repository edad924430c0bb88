// Leader election on one coordination.k8s.io Lease, for the server's single-writer chores and the
// operator's controllers. Each round reads the Lease and acts on decideElection: create it, renew it,
// take it over once its holder has not renewed it for its whole duration, or wait. Writes carry the
// resourceVersion that was read, so of two candidates in one round only one succeeds.
//
// A clean hand-over: the leader counts itself leader only until renewDeadline after its last successful
// renewal, shorter than the lease duration after which another may take over, and a timer says so even
// while a round hangs on the API server. Stopping releases the Lease (holder ''), so the next candidate
// takes over at its next round instead of waiting out the duration.
import type { LeaseClient } from './lease-client.ts';
import {
  decideElection,
  heldRecord,
  microTime,
  type ElectionStep,
  type LeaseRecord,
  type Observed,
} from './lease-record.ts';

export interface Leadership {
  isLeader(): boolean;
  /** `listener(true)` when this process starts leading, `listener(false)` when it stops; returns an unsubscribe. */
  onChange(listener: (leading: boolean) => void): () => void;
  /** Stops campaigning, and releases the Lease if held. */
  stop(): Promise<void>;
}

export interface ElectionTiming {
  /** How long the Lease holds without renewal before another candidate may take it. */
  leaseDurationSeconds: number;
  /** How long the leader keeps acting without a successful renewal; below leaseDurationSeconds. */
  renewDeadlineSeconds: number;
  /** Time between rounds; below renewDeadlineSeconds. */
  retryPeriodSeconds: number;
}

export const DEFAULT_ELECTION_TIMING: Readonly<ElectionTiming> = {
  leaseDurationSeconds: 15,
  renewDeadlineSeconds: 10,
  retryPeriodSeconds: 2,
};

export interface ElectionLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface LeaderElectionOptions {
  leases: LeaseClient;
  /** The Lease's name in the client's namespace. */
  name: string;
  /** This candidate (the pod's name and a random suffix: a restarted pod is a new candidate). */
  identity: string;
  timing?: ElectionTiming;
  log: ElectionLog;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => NodeJS.Timeout;
  random?: () => number;
}

/** One process that is always the leader: one replica, local mode, tests. */
export function alwaysLeader(): Leadership {
  return {
    isLeader: () => true,
    onChange(listener) {
      listener(true);
      return () => undefined;
    },
    stop: () => Promise.resolve(),
  };
}

export interface LeaderElection extends Leadership {
  /** The holder as last read (undefined before the first read or when none holds it). */
  holder(): string | undefined;
}

export function startLeaderElection(options: LeaderElectionOptions): LeaderElection {
  const election = new Election(options);
  election.schedule(0);
  return {
    isLeader: () => election.isLeader(),
    onChange: (listener) => election.subscribe(listener),
    holder: () => election.holder,
    stop: () => election.stop(),
  };
}

class Election {
  readonly #o: LeaderElectionOptions;
  readonly #timing: ElectionTiming;
  readonly #now: () => number;
  readonly #setTimer: (callback: () => void, ms: number) => NodeJS.Timeout;
  readonly #listeners = new Set<(leading: boolean) => void>();
  #observed: Observed = { record: undefined, observedAt: 0 };
  #leading = false;
  #renewedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;
  holder: string | undefined;

  constructor(options: LeaderElectionOptions) {
    this.#o = options;
    this.#timing = options.timing ?? DEFAULT_ELECTION_TIMING;
    this.#now = options.now ?? Date.now;
    this.#setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
  }

  isLeader(): boolean {
    return this.#leading && this.#now() < this.#renewedAt + this.#timing.renewDeadlineSeconds * 1000;
  }

  subscribe(listener: (leading: boolean) => void): () => void {
    this.#listeners.add(listener);
    if (this.isLeader()) listener(true);
    return () => this.#listeners.delete(listener);
  }

  /** The round timer keeps the process alive (a follower may have nothing else); stop() clears it. */
  schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = this.#setTimer(() => {
      this.#round = this.#runRound().finally(() => {
        this.#round = undefined;
        const jitter = 1 + 0.2 * (this.#o.random ?? Math.random)();
        this.schedule(this.#timing.retryPeriodSeconds * 1000 * jitter);
      });
    }, delayMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
    const record = this.#observed.record;
    const held = this.#leading;
    this.#setLeading(false);
    if (!held || record?.holder !== this.#o.identity) return;
    // Released: holder '' lets the next candidate take over at once.
    const now = this.#now();
    await this.#o.leases
      .replace({ ...record, holder: '', durationSeconds: 1, renewTime: microTime(now) })
      .catch((error: unknown) =>
        this.#o.log.warn({ err: error, lease: this.#o.name }, 'could not release the leader Lease'),
      );
  }

  async #runRound(): Promise<void> {
    try {
      const record = await this.#o.leases.get(this.#o.name);
      this.#observe(record);
      const step = decideElection(this.#o.identity, this.#observed, this.#now());
      if (step.kind === 'wait') return this.#follow(step.holder);
      await this.#write(step, record);
    } catch (error) {
      this.#o.log.warn({ err: error, lease: this.#o.name }, 'leader election round failed');
      this.#lapseIfDue();
    }
  }

  #observe(record: LeaseRecord | undefined): void {
    this.holder = record?.holder || undefined;
    if (record?.resourceVersion !== this.#observed.record?.resourceVersion)
      this.#observed = { record, observedAt: this.#now() };
  }

  #follow(holder: string): void {
    if (this.#leading)
      this.#o.log.warn({ lease: this.#o.name, holder }, 'another candidate holds the leader Lease');
    this.#setLeading(false);
  }

  async #write(
    step: Exclude<ElectionStep, { kind: 'wait' }>,
    record: LeaseRecord | undefined,
  ): Promise<void> {
    const now = this.#now();
    const base = { name: this.#o.name, durationSeconds: this.#timing.leaseDurationSeconds, previous: record };
    const draft = heldRecord(step, base, this.#o.identity, now);
    const written =
      step.kind === 'create' || draft.resourceVersion === undefined
        ? await this.#o.leases.create(draft)
        : await this.#o.leases.replace({ ...draft, resourceVersion: draft.resourceVersion });
    if (written === 'conflict') {
      // Someone wrote it since we read it: the next round reads the new version.
      this.#lapseIfDue();
      return;
    }
    this.#observed = { record: written, observedAt: now };
    this.holder = written.holder;
    this.#renewedAt = now;
    if (!this.#leading)
      this.#o.log.info({ lease: this.#o.name, identity: this.#o.identity, step: step.kind }, 'leading');
    this.#setLeading(true);
  }

  /** A leader whose renewals failed for renewDeadline stops leading. */
  #lapseIfDue(): void {
    if (this.#leading && !this.isLeader()) this.#setLeading(false);
  }

  #setLeading(leading: boolean): void {
    clearTimeout(this.#watchdog);
    if (leading) {
      const left = this.#renewedAt + this.#timing.renewDeadlineSeconds * 1000 - this.#now();
      this.#watchdog = this.#setTimer(() => this.#lapseIfDue(), Math.max(0, left) + 1);
      this.#watchdog.unref?.();
    }
    if (leading === this.#leading) return;
    this.#leading = leading;
    if (!leading) this.#o.log.info({ lease: this.#o.name, identity: this.#o.identity }, 'stopped leading');
    for (const listener of [...this.#listeners]) listener(leading);
  }
}
