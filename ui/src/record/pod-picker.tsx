// Namespace, pod and (when the pod has several) container: only registered pods the user may
// profile, polled every few seconds, so new pods appear and pods that go away disappear.
import { useEffect, useState } from 'preact/hooks';
import { LOCAL_NAMESPACE } from '../../../core/contract/names.ts';
import type { PodContainersView, SidecarView } from '../../../core/contract/ui-contract.ts';
import { apiPath, getJson } from '../api/client.ts';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { usePolling } from '../shell/use-polling.ts';
import { NoSidecars } from './no-sidecars.tsx';

export interface Target {
  namespace: string;
  pod: string;
  /** '' when the pod has one container or none to choose. */
  container: string;
}

const POLL_MS = 3000;

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

export function PodPicker({ onChange }: { onChange: (target: Target | undefined) => void }) {
  const sidecars = usePolling(
    (signal) => getJson<{ items: SidecarView[] }>('/api/v1/sidecars', signal),
    POLL_MS,
    'sidecars',
  );
  const [namespace, setNamespace] = useState('');
  const [pod, setPod] = useState('');
  const [container, setContainer] = useState('');
  const [gone, setGone] = useState('');
  const items = sidecars.data?.items ?? [];
  const namespaces = unique(items.map((item) => item.namespace));
  const pods = unique(items.filter((item) => item.namespace === namespace).map((item) => item.pod));
  const byAgent = new Set(
    items.filter((item) => item.namespace === namespace && item.mode === 'agent').map((item) => item.pod),
  );

  // One registered pod: pick it. A picked pod that went away: drop it and say so.
  useEffect(() => {
    if (!sidecars.data) return;
    if (namespace === '' && namespaces.length === 1) setNamespace(namespaces[0] ?? '');
    else if (namespace !== '' && !namespaces.includes(namespace)) setNamespace('');
    if (pod !== '' && !pods.includes(pod)) {
      setGone(`${namespace}/${pod}`);
      setPod('');
    } else if (pod === '' && pods.length === 1 && namespace !== '') setPod(pods[0] ?? '');
  }, [sidecars.data, namespace, pod]);

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

  useEffect(() => {
    onChange(
      namespace !== '' && pod !== ''
        ? { namespace, pod, container: choices.length > 1 ? container : '' }
        : undefined,
    );
  }, [namespace, pod, container, containers.data]);

  if (sidecars.error && !sidecars.data)
    return <ErrorScreen error={sidecars.error} what="the pods" onRetry={sidecars.reload} />;
  if (sidecars.loading && !sidecars.data) return <p class="loading">Loading registered pods…</p>;
  if (items.length === 0) return <NoSidecars />;
  return (
    <fieldset class="picker">
      <legend>Target</legend>
      <div class="field">
        <label for="pick-namespace">Namespace</label>
        <select
          id="pick-namespace"
          value={namespace}
          onChange={(event) => {
            setNamespace(event.currentTarget.value);
            setPod('');
            setGone('');
          }}
        >
          <option value="">Choose a namespace</option>
          {namespaces.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="pick-pod">Pod</label>
        <select
          id="pick-pod"
          value={pod}
          disabled={namespace === ''}
          onChange={(event) => {
            setPod(event.currentTarget.value);
            setGone('');
          }}
        >
          <option value="">Choose a pod</option>
          {pods.map((name) => (
            <option key={name} value={name}>
              {byAgent.has(name) ? `${name} (node agent)` : name}
            </option>
          ))}
        </select>
      </div>
      {choices.length > 1 ? (
        <div class="field">
          <label for="pick-container">Container</label>
          <select
            id="pick-container"
            value={container}
            onChange={(event) => setContainer(event.currentTarget.value)}
          >
            <option value="">All containers</option>
            {choices.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {namespace === LOCAL_NAMESPACE ? (
        <p class="hint">Local mode: this machine's processes, chosen by process pattern or PID.</p>
      ) : null}
      {gone !== '' ? (
        <p class="notice" role="status">
          Pod {gone} went away (deleted, or its sidecar stopped renewing its registration).
        </p>
      ) : null}
      {sidecars.error ? <ErrorScreen error={sidecars.error} what="the latest pod list" /> : null}
      {containers.error ? <ErrorScreen error={containers.error} what="the pod's containers" /> : null}
    </fieldset>
  );
}
