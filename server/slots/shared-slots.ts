// A start's slots as their users see them (start-slots.ts, the proxy's recordings state): taken, committed
// to a recording, given back. lease-slots.ts keeps them on Leases across replicas.

export interface SlotRequest {
  namespace: string;
  pod: string;
  startedBy?: string;
  /** The start's idempotency key (hashed), kept on the pod's slot. */
  startKey?: string;
  maxPerNamespace: number;
  maxPerCluster: number;
}

export interface HeldSlots {
  /**
   * The recorder answered with `id`: the slots hold until `deadline` (ms) or until the recording ends.
   * Resolves once written (or failed: logged), never rejects.
   */
  commit(id: string, deadline: number, answer?: string): Promise<void>;
  /** The start failed: the slots are free again. */
  release(): void;
}

export type TakeResult =
  | { taken: true; held: HeldSlots }
  | { taken: false; busy: 'pod'; recording?: string; startedBy?: string; startKey?: string; answer?: string }
  | { taken: false; busy: 'namespace' | 'cluster'; running: number }
  /** Free slots existed, but other starts took each one this start tried: worth another try. */
  | { taken: false; busy: 'namespace' | 'cluster'; contended: true };

export interface SharedSlots {
  take(request: SlotRequest): Promise<TakeResult>;
  /** Frees the pod's slots (only those of `recording` when given): the recording ended. */
  release(namespace: string, pod: string, recording?: string): Promise<void>;
  /** Deletes the slots that expired (a replica died holding them) or whose recording ended; the leader's chore. */
  collectExpired(): Promise<number>;
  /** Stops renewing; what was held expires on its own. */
  stop(): Promise<void>;
}
