// The selections as N replicas share them: one Lease per selection in the server's namespace (kind
// `continuous` of the shared records, replicas/lease-records.ts), its JSON in the record annotation. Every
// replica's watch feeds its view (onRecord, onGone), so the plan an agent gets from any replica is the
// same. A selection never expires: its Lease lives until it is switched off. Why a Lease and not a kind of
// our own: the replicas already watch these records, and the server already may write them.
import type { SharedRecord } from '../replicas/lease-records.ts';
import { recordName } from '../replicas/lease-records.ts';
import { LeaseConflict, type LeaseStore } from '../replicas/lease-store.ts';
import type { ContinuousSelection } from './continuous-selection.ts';
import type { SelectionStore } from './selection-store.ts';

/** A selection's Lease "expires" after ten years: nothing renews it and nothing collects it. */
const NEVER_SECONDS = 10 * 365 * 24 * 3600;

export interface SharedSelections extends SelectionStore {
  onRecord(record: SharedRecord): void;
  onGone(record: SharedRecord): void;
  collect(): Promise<number>;
}

export interface SharedSelectionsDeps {
  store: LeaseStore;
  holder: string;
  now: () => number;
}

/** The selection a record holds, checked for the fields the planner reads; undefined otherwise. */
function selectionOf(record: SharedRecord): ContinuousSelection | undefined {
  if (record.kind !== 'continuous') return undefined;
  const data = record.data as Partial<ContinuousSelection>;
  const named = typeof data.namespace === 'string' && typeof data.name === 'string';
  const sound = typeof data.frequency === 'number' && typeof data.selector === 'object';
  return named && sound ? (data as ContinuousSelection) : undefined;
}

export function createSharedSelections(deps: SharedSelectionsDeps): SharedSelections {
  const view = new Map<string, ContinuousSelection>();
  const nameOf = (namespace: string, name: string) => recordName('continuous', [namespace, name]);

  async function write(selection: ContinuousSelection): Promise<void> {
    const name = nameOf(selection.namespace, selection.name);
    const now = deps.now();
    const record: SharedRecord = {
      ...{ name, kind: 'continuous', data: { ...selection }, holder: deps.holder },
      ...{ acquiredAt: now, renewedAt: now, durationSeconds: NEVER_SECONDS },
    };
    try {
      await deps.store.create(record);
    } catch (error) {
      if (!(error instanceof LeaseConflict)) throw error;
      const known = await deps.store.read(name);
      if (!known) throw error;
      await deps.store.replace({ ...record, resourceVersion: known.resourceVersion ?? '' });
    }
  }

  return {
    list: () => [...view.values()],
    get: (namespace, name) => view.get(nameOf(namespace, name)),
    async put(selection) {
      await write(selection);
      view.set(nameOf(selection.namespace, selection.name), selection);
    },
    async remove(namespace, name) {
      const key = nameOf(namespace, name);
      const known = view.has(key) || (await deps.store.read(key)) !== undefined;
      await deps.store.remove(key);
      view.delete(key);
      return known;
    },
    onRecord(record) {
      const selection = selectionOf(record);
      if (selection) view.set(record.name, selection);
    },
    onGone(record) {
      if (record.kind === 'continuous') view.delete(record.name);
    },
    collect: () => Promise.resolve(0),
  };
}
