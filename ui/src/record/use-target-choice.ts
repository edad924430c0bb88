// The namespace and pod chosen among the registered ones: the only choice is taken, and a chosen pod
// that leaves the list is dropped and named in `gone`.
import { useEffect, useState } from 'preact/hooks';
import type { SidecarView } from '../../../core/contract/ui-contract.ts';

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

export interface TargetChoice {
  namespace: string;
  pod: string;
  /** "namespace/pod" of a chosen pod that went away; '' otherwise. */
  gone: string;
  namespaces: string[];
  pods: string[];
  /** Pods recorded by a node agent rather than a sidecar. */
  byAgent: Set<string>;
  chooseNamespace: (namespace: string) => void;
  choosePod: (pod: string) => void;
}

/** `items` is undefined until the first list arrived. */
export function useTargetChoice(items: SidecarView[] | undefined): TargetChoice {
  const [namespace, setNamespace] = useState('');
  const [pod, setPod] = useState('');
  const [gone, setGone] = useState('');
  const all = items ?? [];
  const namespaces = unique(all.map((item) => item.namespace));
  const inNamespace = all.filter((item) => item.namespace === namespace);
  const pods = unique(inNamespace.map((item) => item.pod));
  const byAgent = new Set(inNamespace.filter((item) => item.mode === 'agent').map((item) => item.pod));

  useEffect(() => {
    if (!items) return;
    if (namespace === '' && namespaces.length === 1) setNamespace(namespaces[0] ?? '');
    else if (namespace !== '' && !namespaces.includes(namespace)) setNamespace('');
    if (pod !== '' && !pods.includes(pod)) {
      setGone(`${namespace}/${pod}`);
      setPod('');
    } else if (pod === '' && pods.length === 1 && namespace !== '') setPod(pods[0] ?? '');
  }, [items, namespace, pod]);

  const chooseNamespace = (next: string): void => {
    setNamespace(next);
    setPod('');
    setGone('');
  };
  const choosePod = (next: string): void => {
    setPod(next);
    setGone('');
  };
  return { namespace, pod, gone, namespaces, pods, byAgent, chooseNamespace, choosePod };
}
