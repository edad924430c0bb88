// Start slots across replicas on Leases (slot-plan.ts says which): a start takes its pod's slot, then a
// free numbered slot of its namespace and one of the cluster, in that order, and gives back what it
// took when a later one is refused. A replica renews the slots of its starts in flight; once the
// recorder answered, the slots are committed with the recording's id and deadline and need no renewal
// (the recording runs on whatever happens to the replica). Any replica frees them when it sees the
// recording end (an upload, the failure timer, the pod's registration expiring); the leader deletes the
// expired ones and those whose recording the catalog lists as ended (collectExpired): a replica killed
// between an entry's end and the release, or an end seen before the commit landed, leaves no slot taken.
// A keyed start retried after its first attempt's replica died takes that attempt's slots over (#resume).
import type { LeaseClient } from '../../kube/leases/lease-client.ts';
import { microTime, type LeaseDraft, type LeaseRecord } from '../../kube/leases/lease-record.ts';
import {
  freeSlots,
  numberedSlotName,
  podKey,
  podSlotName,
  POD_ANNOTATION,
  RECORDING_ANNOTATION,
  SLOT_LABEL,
  SLOT_NAMESPACE_LABEL,
  SLOT_POD_LABEL,
  slotExpired,
  slotSelector,
  STARTED_BY_ANNOTATION,
  START_KEY_ANNOTATION,
  START_ANSWER_ANNOTATION,
  MAX_KEPT_ANSWER,
} from './slot-plan.ts';
import type { HeldSlots, SharedSlots, SlotRequest, TakeResult } from './shared-slots.ts';

export interface LeaseSlotsDeps {
  leases: LeaseClient;
  /** This replica, as the slots' holder. */
  identity: string;
  /** How long an uncommitted slot holds without renewal. */
  slotSeconds: number;
  now: () => number;
  log: { warn(obj: object, msg: string): void };
  /** Whether the catalog lists the recording as ended (done or failed); its slots are then free. */
  ended?: (recording: string) => boolean;
  setTimer?: (callback: () => void, ms: number) => NodeJS.Timeout;
}

/** How often the numbered slots are listed again when other starts took the free ones tried. */
const NUMBER_LISTS = 6;
/** How many free numbers are tried from one list before listing again. */
const TRIES_PER_LIST = 4;

export function createLeaseSlots(deps: LeaseSlotsDeps): SharedSlots {
  const slots = new LeaseSlots(deps);
  return {
    take: (request) => slots.take(request),
    release: (namespace, pod, recording) => slots.releasePod(namespace, pod, recording),
    collectExpired: () => slots.collectExpired(),
    stop: () => slots.stop(),
  };
}

class LeaseSlots {
  readonly #d: LeaseSlotsDeps;
  readonly #renewing = new Set<() => Promise<void>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: LeaseSlotsDeps) {
    this.#d = deps;
  }

  async take(request: SlotRequest): Promise<TakeResult> {
    const { namespace, pod } = request;
    const base = this.#draft(request);
    const podDraft = {
      ...base,
      name: podSlotName(namespace, pod),
      labels: { ...base.labels, [SLOT_LABEL]: 'pod' },
    };
    let podSlot = await this.#takeNamed(podDraft);
    // Deleted between our create and our read: free again, once more.
    if ('lost' in podSlot) podSlot = await this.#takeNamed(podDraft);
    // Its recording ended but the slot was not freed (the replica that saw the end died first): taken over.
    if ('busy' in podSlot && this.#ended(podSlot.busy))
      podSlot = await this.#takeNamed(podDraft, podSlot.busy);
    if ('busy' in podSlot) {
      const resumed = await this.#resume(podDraft, podSlot.busy, request.startKey);
      if (!resumed) return { taken: false, busy: 'pod', ...pick(podSlot.busy.annotations) };
      podSlot = resumed;
    }
    if ('lost' in podSlot) return { taken: false, busy: 'pod' };
    const held: LeaseRecord[] = [podSlot.record];
    for (const kind of ['namespace', 'cluster'] as const) {
      const limit = kind === 'namespace' ? request.maxPerNamespace : request.maxPerCluster;
      const numbered = await this.#takeNumbered(kind, base, namespace, limit).catch(
        async (error: unknown) => {
          await this.#removeAll(held);
          throw error;
        },
      );
      if (!('record' in numbered)) {
        await this.#removeAll(held);
        return { taken: false, busy: kind, ...numbered };
      }
      held.push(numbered.record);
    }
    return { taken: true, held: this.#hold(held) };
  }

  #draft(request: SlotRequest): LeaseDraft {
    const now = this.#d.now();
    return {
      name: '',
      holder: this.#d.identity,
      durationSeconds: this.#d.slotSeconds,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      transitions: 0,
      labels: {
        [SLOT_NAMESPACE_LABEL]: request.namespace,
        [SLOT_POD_LABEL]: podKey(request.namespace, request.pod),
      },
      annotations: {
        [POD_ANNOTATION]: `${request.namespace}/${request.pod}`,
        ...(request.startedBy === undefined ? {} : { [STARTED_BY_ANNOTATION]: request.startedBy }),
        ...(request.startKey === undefined ? {} : { [START_KEY_ANNOTATION]: request.startKey }),
      },
    };
  }

  /**
   * A retry of a keyed start whose first attempt never got the recorder's answer (its replica died, or
   * the client gave up waiting): the pod's slot holds the same key and no recording. This start takes the
   * slot over and sends the start on with the key; the recorder answers with the recording the key began,
   * if the first attempt reached it, or starts it now. The numbered slots the first attempt took are
   * deleted (this start takes its own), so they do not count twice until they expire.
   */
  async #resume(
    draft: LeaseDraft,
    busy: LeaseRecord,
    startKey: string | undefined,
  ): Promise<{ record: LeaseRecord } | undefined> {
    const same = startKey !== undefined && busy.annotations[START_KEY_ANNOTATION] === startKey;
    if (!same || busy.annotations[RECORDING_ANNOTATION] !== undefined) return undefined;
    const written = await this.#d.leases.replace({
      ...draft,
      transitions: busy.transitions + 1,
      resourceVersion: busy.resourceVersion,
    });
    if (written === 'conflict') return undefined;
    const pod = busy.labels[SLOT_POD_LABEL] ?? '';
    const earlier = (await this.#d.leases.list(`${SLOT_POD_LABEL}=${pod}`)).filter(
      (record) =>
        record.name !== busy.name &&
        record.annotations[START_KEY_ANNOTATION] === startKey &&
        record.annotations[RECORDING_ANNOTATION] === undefined,
    );
    await this.#removeAll(earlier);
    return { record: written };
  }

  /** Whether the catalog lists the slot's recording as ended (done or failed). */
  #ended(record: LeaseRecord): boolean {
    const recording = record.annotations[RECORDING_ANNOTATION];
    return recording !== undefined && this.#d.ended?.(recording) === true;
  }

  /** Creates the named slot, or takes over an expired (or ended) one; else says who holds it. */
  async #takeNamed(
    draft: LeaseDraft,
    expired?: LeaseRecord,
  ): Promise<{ record: LeaseRecord } | { busy: LeaseRecord } | { lost: true }> {
    const { leases } = this.#d;
    const written = expired
      ? await leases.replace({
          ...draft,
          transitions: expired.transitions + 1,
          resourceVersion: expired.resourceVersion,
        })
      : await leases.create(draft);
    if (written !== 'conflict') return { record: written };
    const current = await leases.get(draft.name);
    if (!current) return { lost: true };
    if (!slotExpired(current, this.#d.now())) return { busy: current };
    if (expired) return { lost: true };
    return this.#takeNamed(draft, current);
  }

  async #takeNumbered(
    kind: 'namespace' | 'cluster',
    base: LeaseDraft,
    namespace: string,
    limit: number,
  ): Promise<{ record: LeaseRecord } | { running: number } | { contended: true }> {
    const names = (index: number) => numberedSlotName(kind, namespace, index);
    for (let list = 0; list < NUMBER_LISTS; list += 1) {
      const records = await this.#d.leases.list(slotSelector(kind, namespace));
      const found = freeSlots(records, { names, limit, now: this.#d.now(), ended: (r) => this.#ended(r) });
      if (found.free.length === 0) return { running: found.live };
      for (const free of found.free.slice(0, TRIES_PER_LIST)) {
        const draft = { ...base, name: names(free.index), labels: { ...base.labels, [SLOT_LABEL]: kind } };
        const taken = await this.#takeNamed(draft, free.expired);
        if ('record' in taken) return taken;
      }
    }
    return { contended: true };
  }

  #hold(records: LeaseRecord[]): HeldSlots {
    let current = records;
    let settled = false;
    // Renewals, the commit and the release of one start in turn: each writes over the version the one before wrote.
    let chain: Promise<unknown> = Promise.resolve();
    const queue = (work: () => Promise<void>): Promise<void> => {
      const next = chain.then(work);
      chain = next.catch(() => undefined);
      return next;
    };
    const renew = (): Promise<void> =>
      queue(async () => {
        current = await this.#rewrite(current, {});
      });
    this.#renewing.add(renew);
    this.#schedule();
    const settle = (work: () => Promise<unknown>): Promise<void> => {
      if (settled) return Promise.resolve();
      settled = true;
      this.#renewing.delete(renew);
      return queue(async () => void (await work())).catch((error: unknown) =>
        this.#d.log.warn({ err: error }, 'could not update start slots'),
      );
    };
    return {
      commit: (id, deadline, answer) =>
        settle(async () => {
          const seconds = Math.max(1, Math.ceil((deadline - this.#d.now()) / 1000));
          // A keyed start's answer goes on the pod's slot (the first) alone.
          const [podSlot] = current;
          const keep =
            answer !== undefined &&
            answer.length <= MAX_KEPT_ANSWER &&
            podSlot?.annotations[START_KEY_ANNOTATION] !== undefined;
          const extra: Record<string, string> = keep ? { [START_ANSWER_ANNOTATION]: answer } : {};
          current = await this.#rewrite(current, { [RECORDING_ANNOTATION]: id }, seconds, extra);
          // Its end was seen before this commit landed (a 1 s recording, a slow API server): free them now.
          if (this.#d.ended?.(id)) await this.#removeAll(current);
        }),
      release: () => void settle(() => this.#removeAll(current)),
    };
  }

  /** Renews the slots (and sets a duration and annotations); a slot someone took over is dropped. */
  async #rewrite(
    records: LeaseRecord[],
    annotations: Record<string, string>,
    durationSeconds?: number,
    firstOnly: Record<string, string> = {},
  ): Promise<LeaseRecord[]> {
    const now = microTime(this.#d.now());
    const written = await Promise.all(
      records.map((record, index) =>
        this.#d.leases.replace({
          ...record,
          renewTime: now,
          ...(durationSeconds === undefined ? {} : { durationSeconds }),
          annotations: { ...record.annotations, ...annotations, ...(index === 0 ? firstOnly : {}) },
        }),
      ),
    );
    return written.filter((record): record is LeaseRecord => record !== 'conflict');
  }

  async #removeAll(records: readonly LeaseRecord[]): Promise<void> {
    await Promise.all(records.map((record) => this.#d.leases.remove(record.name, record.resourceVersion)));
  }

  #schedule(): void {
    if (this.#timer || this.#renewing.size === 0) return;
    const setTimer = this.#d.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.#timer = setTimer(
      () => {
        this.#timer = undefined;
        const renewals = [...this.#renewing].map((renew) => renew());
        void Promise.allSettled(renewals).then((results) => {
          for (const result of results)
            if (result.status === 'rejected')
              this.#d.log.warn({ err: result.reason as unknown }, 'could not renew start slots');
          this.#schedule();
        });
      },
      (this.#d.slotSeconds * 1000) / 3,
    );
    this.#timer.unref?.();
  }

  async releasePod(namespace: string, pod: string, recording?: string): Promise<void> {
    const records = await this.#d.leases.list(`${SLOT_POD_LABEL}=${podKey(namespace, pod)}`);
    const ours = records.filter(
      (record) => recording === undefined || record.annotations[RECORDING_ANNOTATION] === recording,
    );
    await this.#removeAll(ours);
  }

  async collectExpired(): Promise<number> {
    const records = await this.#d.leases.list(SLOT_LABEL);
    const now = this.#d.now();
    const stale = records.filter((record) => slotExpired(record, now) || this.#ended(record));
    await this.#removeAll(stale);
    return stale.length;
  }

  stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#renewing.clear();
    return Promise.resolve();
  }
}

function pick(annotations: Record<string, string>): {
  recording?: string;
  startedBy?: string;
  startKey?: string;
  answer?: string;
} {
  const recording = annotations[RECORDING_ANNOTATION];
  const startedBy = annotations[STARTED_BY_ANNOTATION];
  const startKey = annotations[START_KEY_ANNOTATION];
  const answer = annotations[START_ANSWER_ANNOTATION];
  return {
    ...(recording ? { recording } : {}),
    ...(startedBy ? { startedBy } : {}),
    ...(startKey ? { startKey } : {}),
    ...(answer ? { answer } : {}),
  };
}
