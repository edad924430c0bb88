// The simulated kubelet for a Deployment's rollouts in the kube tier: every new pod of the selector is run
// (pod-sim.ts: real processes, the real sidecar) with the program its image names, and marked Ready unless
// its image is one that never gets ready; pods the ReplicaSet controller deletes are stopped and removed, as
// a kubelet ends a terminating pod. Runs until the test ends.
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { SIDECAR_CONTAINER_NAME } from '../../core/contract/names.ts';
import { simulatePod, type SimulatedPod } from '../harness/pod-sim.ts';

export interface RolloutKubeletOptions {
  namespace: string;
  labelSelector: string;
  /** The app container's name. */
  container: string;
  /** argv of the app container per image; an image not listed runs `sleep` and never becomes Ready. */
  programs: Record<string, string[]>;
  /** argv of the injected sidecar; this checkout's sources through tsx by default (pod-sim.ts). */
  sidecar?: string[];
}

async function markReady(core: CoreV1Api, pod: V1Pod): Promise<void> {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  const stored = await core.readNamespacedPodStatus({ name, namespace });
  const now = new Date();
  const ready = (type: string) => ({ type, status: 'True', lastTransitionTime: now });
  stored.status = {
    ...stored.status,
    conditions: [ready('Initialized'), ready('ContainersReady'), ready('Ready'), ready('PodScheduled')],
    containerStatuses: (stored.status?.containerStatuses ?? []).map((c) => ({ ...c, ready: true })),
  };
  await core.replaceNamespacedPodStatus({ name, namespace, body: stored });
}

export interface RolloutKubelet {
  /** When each pod was marked Ready (ms since the epoch), by pod name. */
  readyAt: Map<string, number>;
}

export function startRolloutKubelet(
  t: TestContext,
  kc: KubeConfig,
  options: RolloutKubeletOptions,
): RolloutKubelet {
  const readyAt = new Map<string, number>();
  const core = kc.makeApiClient(CoreV1Api);
  const running = new Map<string, SimulatedPod | 'starting'>();
  let stopped = false;
  const tick = async () => {
    const { namespace } = options;
    const list = await core.listNamespacedPod({ namespace, labelSelector: options.labelSelector });
    for (const pod of list.items) {
      const name = pod.metadata?.name ?? '';
      const sim = running.get(name);
      if (pod.metadata?.deletionTimestamp) {
        if (sim && sim !== 'starting') await sim.stop();
        running.delete(name);
        await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 }).catch(() => undefined);
        continue;
      }
      if (sim) continue;
      const image = pod.spec?.containers.find((c) => c.name === options.container)?.image ?? '';
      const program = options.programs[image];
      running.set(name, 'starting');
      const simulated = await simulatePod(kc, namespace, name, {
        commands: {
          [options.container]: program ?? ['sleep', '3600'],
          ...(options.sidecar ? { [SIDECAR_CONTAINER_NAME]: options.sidecar } : {}),
        },
      });
      running.set(name, simulated);
      if (program) {
        await markReady(core, simulated.pod);
        readyAt.set(name, Date.now());
      }
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await tick().catch((error: unknown) => {
        if (!stopped) process.stderr.write(`rollout kubelet: ${String(error)}\n`);
      });
      await sleep(300);
    }
  })();
  t.after(async () => {
    stopped = true;
    await loop;
    for (const sim of running.values()) if (sim !== 'starting') await sim.stop();
  });
  return { readyAt };
}
