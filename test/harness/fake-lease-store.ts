// A fake of the shared Lease store (server/replicas/lease-store.ts) in memory, for unit and app tests of
// what replicas share: every change goes at once to the subscribed replicas, as their watches would see
// it. The real store against the real API server is in test/kube/replicas-*.test.ts.
import type { SharedRecord } from '../../server/replicas/lease-records.ts';
import { LeaseConflict, type LeaseStore } from '../../server/replicas/lease-store.ts';

export interface LeaseSubscriber {
  onRecord(record: SharedRecord): void;
  onGone(record: SharedRecord): void;
}

export class FakeLeaseStore implements LeaseStore {
  readonly namespace = 'furnace';
  readonly leases = new Map<string, SharedRecord>();
  readonly subscribers: LeaseSubscriber[] = [];
  #version = 0;
  #writes = 0;
  #reads = 0;

  writes(): number {
    return this.#writes;
  }

  reads(): number {
    return this.#reads;
  }

  create(record: SharedRecord): Promise<SharedRecord> {
    this.#writes += 1;
    if (this.leases.has(record.name)) return Promise.reject(new LeaseConflict(record.name));
    return Promise.resolve(this.#store(record));
  }

  replace(record: SharedRecord): Promise<SharedRecord> {
    this.#writes += 1;
    if (this.leases.get(record.name)?.resourceVersion !== record.resourceVersion)
      return Promise.reject(new LeaseConflict(record.name));
    return Promise.resolve(this.#store(record));
  }

  read(name: string): Promise<SharedRecord | undefined> {
    this.#reads += 1;
    return Promise.resolve(this.leases.get(name));
  }

  remove(name: string, resourceVersion?: string): Promise<void> {
    this.#writes += 1;
    const record = this.leases.get(name);
    if (!record || (resourceVersion && record.resourceVersion !== resourceVersion)) return Promise.resolve();
    this.leases.delete(name);
    for (const subscriber of this.subscribers) subscriber.onGone(record);
    return Promise.resolve();
  }

  #store(record: SharedRecord): SharedRecord {
    const saved = { ...record, resourceVersion: String(++this.#version) };
    this.leases.set(record.name, saved);
    for (const subscriber of this.subscribers) subscriber.onRecord(saved);
    return saved;
  }
}
