// Where the selections live. One replica and local mode keep them in this process's memory (lost on a
// restart: say so wherever a user could expect otherwise); the interface is what a store shared by N
// replicas (a Kubernetes object per selection) implements too.
import type { ContinuousSelection } from './continuous-selection.ts';

export interface SelectionStore {
  list(): ContinuousSelection[];
  get(namespace: string, name: string): ContinuousSelection | undefined;
  put(selection: ContinuousSelection): Promise<void>;
  /** Whether there was one. */
  remove(namespace: string, name: string): Promise<boolean>;
}

export function createMemorySelections(): SelectionStore {
  const selections = new Map<string, ContinuousSelection>();
  const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;
  return {
    list: () => [...selections.values()],
    get: (namespace, name) => selections.get(keyOf(namespace, name)),
    put(selection) {
      selections.set(keyOf(selection.namespace, selection.name), structuredClone(selection));
      return Promise.resolve();
    },
    remove(namespace, name) {
      return Promise.resolve(selections.delete(keyOf(namespace, name)));
    },
  };
}
