// The container chosen in a pod, among those the server lists: the only one is taken; '' for all of
// them, or when the pod has one container or none to choose.
import { useEffect, useState } from 'preact/hooks';
import type { PodContainersView } from '../../../core/contract/ui-contract.ts';
import { apiPath, getJson } from '../api/client.ts';
import { usePolling } from '../shell/use-polling.ts';

export interface ContainerChoice {
  container: string;
  /** The pod's containers; empty until they are known or when no pod is chosen. */
  choices: string[];
  /** Changes whenever a new list arrives. */
  loaded: string[] | undefined;
  error: unknown;
  choose: (container: string) => void;
}

export function useContainerChoice(namespace: string, pod: string): ContainerChoice {
  const [container, setContainer] = useState('');
  const containers = usePolling(
    (signal) =>
      pod === ''
        ? Promise.resolve([])
        : getJson<PodContainersView>(apiPath`/api/v1/pods/${namespace}/${pod}/containers`, signal).then(
            (view) => view.containers,
          ),
    0,
    `${namespace}/${pod}`,
  );
  const choices = containers.data ?? [];
  useEffect(() => {
    if (choices.length === 1) setContainer(choices[0] ?? '');
    else if (!choices.includes(container)) setContainer('');
  }, [containers.data]);
  return { container, choices, loaded: containers.data, error: containers.error, choose: setContainer };
}
