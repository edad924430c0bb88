// What a user does to the rows of the history table: tick up to two for Compare (a third replaces the
// older one), and delete one after confirming it. A failed deletion is kept as the problem to show.
import { useState } from 'preact/hooks';
import { apiPath, deleteJson } from '../api/client.ts';

export interface HistoryActions {
  /** The ticked recordings, first ticked first. */
  picked: string[];
  toggle: (id: string) => void;
  /** The recording whose deletion waits for Confirm; '' for none. */
  confirming: string;
  setConfirming: (id: string) => void;
  remove: (id: string) => void;
  problem: unknown;
}

export function useHistoryActions(onRemoved: () => void): HistoryActions {
  const [picked, setPicked] = useState<string[]>([]);
  const [confirming, setConfirming] = useState('');
  const [problem, setProblem] = useState<unknown>(undefined);
  const toggle = (id: string): void =>
    setPicked((old) => (old.includes(id) ? old.filter((x) => x !== id) : [...old.slice(-1), id]));
  const remove = (id: string): void => {
    setConfirming('');
    deleteJson(apiPath`/api/v1/recordings/${id}`).then(() => {
      setPicked((old) => old.filter((x) => x !== id));
      onRemoved();
    }, setProblem);
  };
  return { picked, toggle, confirming, setConfirming, remove, problem };
}
