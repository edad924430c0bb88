// Namespace, pod and (when the pod has several) container: only registered pods the user may
// profile, polled every few seconds, so new pods appear and pods that go away disappear.
import { useEffect } from 'preact/hooks';
import type { SidecarView } from '../../../core/contract/ui-contract.ts';
import { getJson } from '../api/client.ts';
import { LabelledSelect } from '../controls/labelled-select.tsx';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { useSession } from '../shell/session.tsx';
import { usePolling } from '../shell/use-polling.ts';
import { NoSidecars } from './no-sidecars.tsx';
import { useContainerChoice, type ContainerChoice } from './use-container-choice.ts';
import { useTargetChoice, type TargetChoice } from './use-target-choice.ts';

export interface Target {
  namespace: string;
  pod: string;
  /** '' when the pod has one container or none to choose. */
  container: string;
}

const POLL_MS = 3000;

function TargetSelects({ target, containers }: { target: TargetChoice; containers: ContainerChoice }) {
  const { namespace, byAgent } = target;
  return (
    <>
      <LabelledSelect
        id="pick-namespace"
        label="Namespace"
        value={namespace}
        none="Choose a namespace"
        names={target.namespaces}
        onValue={target.chooseNamespace}
      />
      <LabelledSelect
        id="pick-pod"
        label="Pod"
        value={target.pod}
        none="Choose a pod"
        names={target.pods}
        nameLabel={(name) => (byAgent.has(name) ? `${name} (node agent)` : name)}
        disabled={namespace === ''}
        onValue={target.choosePod}
      />
      {containers.choices.length > 1 ? (
        <LabelledSelect
          id="pick-container"
          label="Container"
          value={containers.container}
          none="All containers"
          names={containers.choices}
          onValue={containers.choose}
        />
      ) : null}
    </>
  );
}

export function PodPicker({ onChange }: { onChange: (target: Target | undefined) => void }) {
  const sidecars = usePolling(
    (signal) => getJson<{ items: SidecarView[] }>('/api/v1/sidecars', signal),
    POLL_MS,
    'sidecars',
  );
  const { local } = useSession().session;
  const target = useTargetChoice(sidecars.data?.items);
  const { namespace, pod, gone } = target;
  const containers = useContainerChoice(namespace, pod);
  const { container, choices } = containers;
  useEffect(() => {
    onChange(
      namespace !== '' && pod !== ''
        ? { namespace, pod, container: choices.length > 1 ? container : '' }
        : undefined,
    );
  }, [namespace, pod, container, containers.loaded]);

  if (sidecars.error && !sidecars.data)
    return <ErrorScreen error={sidecars.error} what="the pods" onRetry={sidecars.reload} />;
  if (sidecars.loading && !sidecars.data) return <p class="loading">Loading registered pods…</p>;
  if ((sidecars.data?.items ?? []).length === 0) return <NoSidecars />;
  return (
    <fieldset class="picker">
      <legend>Target</legend>
      <TargetSelects target={target} containers={containers} />
      {local && namespace !== '' ? (
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
