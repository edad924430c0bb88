// The queue of pushes waiting for their sink: bounded, and kept where a restart finds it again. One
// small interface, so that the queue can move from the server's data directory to shared storage when
// several replicas run (issue 23: objects beside the catalog's, worked by the leader only); the delivery
// loop (sink-delivery.ts) knows only this interface. A push is keyed by its recording and sink, so one
// recording is queued at most once per sink however often its artifacts are stored.
//
// On disk: one JSON file per push under <dataDir>/sink-queue, written to a temp file and renamed into
// place, so a crash leaves the old or the new file and never half of one.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface QueuedPush {
  recordingId: string;
  sink: string;
  /** When the push was queued (ms since the epoch): maxAgeSeconds counts from here. */
  queuedAt: number;
  /** Attempts so far. */
  attempts: number;
  /** When the next attempt is due (ms since the epoch). */
  nextAttemptAt: number;
  lastError?: string;
}

export type AddResult = 'added' | 'present' | 'full';

export interface SinkQueue {
  /** Queues a push unless one for the same recording and sink is queued, or the queue is full. */
  add(push: QueuedPush): Promise<AddResult>;
  /** Pushes due at `now`, the longest due first. */
  due(now: number): QueuedPush[];
  /** When the next push falls due after `now`; undefined when none does. */
  nextDue(now: number): number | undefined;
  has(recordingId: string, sink: string): boolean;
  /** Stores a push's new attempt count, due time and error. */
  update(push: QueuedPush): Promise<void>;
  remove(recordingId: string, sink: string): Promise<void>;
  size(): number;
}

const keyOf = (recordingId: string, sink: string): string => `${recordingId}~${sink}`;

function isQueuedPush(value: unknown): value is QueuedPush {
  const v = value as Partial<QueuedPush> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.recordingId === 'string' &&
    typeof v.sink === 'string' &&
    Number.isFinite(v.queuedAt) &&
    Number.isInteger(v.attempts) &&
    Number.isFinite(v.nextAttemptAt)
  );
}

/** Reads back what a previous run queued; files that cannot be read are removed (and counted). */
async function loadQueue(dir: string): Promise<{ pushes: Map<string, QueuedPush>; dropped: number }> {
  const pushes = new Map<string, QueuedPush>();
  let dropped = 0;
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if (!name.endsWith('.json')) {
      await rm(path, { force: true }); // a temp file of a write the process did not finish
      continue;
    }
    try {
      const push: unknown = JSON.parse(await readFile(path, 'utf8'));
      if (!isQueuedPush(push) || `${keyOf(push.recordingId, push.sink)}.json` !== name)
        throw new Error('not a push');
      pushes.set(keyOf(push.recordingId, push.sink), push);
    } catch {
      dropped += 1;
      await rm(path, { force: true });
    }
  }
  return { pushes, dropped };
}

export interface DiskQueueOptions {
  dir: string;
  maxQueued: number;
  /** Told at open how many unreadable files were dropped (not called when none were). */
  onDropped?: (count: number) => void;
}

export async function openDiskSinkQueue(options: DiskQueueOptions): Promise<SinkQueue> {
  await mkdir(options.dir, { recursive: true });
  const { pushes, dropped } = await loadQueue(options.dir);
  if (dropped > 0) options.onDropped?.(dropped);
  return new DiskSinkQueue(options.dir, options.maxQueued, pushes);
}

class DiskSinkQueue implements SinkQueue {
  readonly #dir: string;
  readonly #maxQueued: number;
  readonly #pushes: Map<string, QueuedPush>;

  constructor(dir: string, maxQueued: number, pushes: Map<string, QueuedPush>) {
    this.#dir = dir;
    this.#maxQueued = maxQueued;
    this.#pushes = pushes;
  }

  async add(push: QueuedPush): Promise<AddResult> {
    const key = keyOf(push.recordingId, push.sink);
    if (this.#pushes.has(key)) return 'present';
    if (this.#pushes.size >= this.#maxQueued) return 'full';
    this.#pushes.set(key, { ...push });
    await this.#write(key, push);
    return 'added';
  }

  due(now: number): QueuedPush[] {
    return [...this.#pushes.values()]
      .filter((push) => push.nextAttemptAt <= now)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)
      .map((push) => ({ ...push }));
  }

  nextDue(now: number): number | undefined {
    let next: number | undefined;
    for (const push of this.#pushes.values())
      if (push.nextAttemptAt > now && (next === undefined || push.nextAttemptAt < next))
        next = push.nextAttemptAt;
    return next;
  }

  has(recordingId: string, sink: string): boolean {
    return this.#pushes.has(keyOf(recordingId, sink));
  }

  async update(push: QueuedPush): Promise<void> {
    const key = keyOf(push.recordingId, push.sink);
    if (!this.#pushes.has(key)) return;
    this.#pushes.set(key, { ...push });
    await this.#write(key, push);
  }

  async remove(recordingId: string, sink: string): Promise<void> {
    const key = keyOf(recordingId, sink);
    this.#pushes.delete(key);
    await rm(join(this.#dir, `${key}.json`), { force: true });
  }

  size(): number {
    return this.#pushes.size;
  }

  async #write(key: string, push: QueuedPush): Promise<void> {
    const temp = join(this.#dir, `.${randomBytes(6).toString('hex')}.tmp`);
    await writeFile(temp, JSON.stringify(push));
    await rename(temp, join(this.#dir, `${key}.json`));
  }
}
