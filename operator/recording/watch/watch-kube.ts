// The rollout watch's Kubernetes edge: the workload it follows, that workload's pods, and the Events it tells
// on the Recording and on the workload (what `kubectl describe` shows).
import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1LabelSelector } from '@kubernetes/client-node';
import type { WatchKind } from '../../../core/crd/recording-watch.ts';
import { formatLabelSelector } from '../../label-selector.ts';
import type { PodView } from '../plan.ts';
import { podView } from '../recording-kube.ts';
import { EVENT_MESSAGE_CHARS, type WatchEvent } from './plan-watch.ts';
import { readWorkloadState, type WorkloadObject, type WorkloadState } from './workload-state.ts';

/** What an Event is about: the Recording or the workload. */
export interface EventSubject {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

export interface WatchKube {
  /** The workload's state, undefined when it does not exist; its uid names it in Events. */
  readWorkload(
    kind: WatchKind,
    namespace: string,
    name: string,
  ): Promise<(WorkloadState & { subject: EventSubject }) | undefined>;
  /** The pods that every selector given matches (the workload's, and the target's). */
  podsOf(namespace: string, selectors: readonly V1LabelSelector[]): Promise<PodView[]>;
  recordEvent(subject: EventSubject, event: WatchEvent): Promise<void>;
}

export const WORKLOAD_APIS: Readonly<Record<WatchKind, { group: string; version: string; plural: string }>> =
  {
    Deployment: { group: 'apps', version: 'v1', plural: 'deployments' },
    StatefulSet: { group: 'apps', version: 'v1', plural: 'statefulsets' },
    DaemonSet: { group: 'apps', version: 'v1', plural: 'daemonsets' },
    DeploymentConfig: { group: 'apps.openshift.io', version: 'v1', plural: 'deploymentconfigs' },
  };

export const EVENT_COMPONENT = 'furnace-operator';

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function createWatchKube(kc: KubeConfig): WatchKube {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    async readWorkload(kind, namespace, name) {
      const api = WORKLOAD_APIS[kind];
      let object: WorkloadObject;
      try {
        object = (await custom.getNamespacedCustomObject({ ...api, namespace, name })) as typeof object;
      } catch (error) {
        if (statusCode(error) === 404) return undefined;
        throw error;
      }
      const subject: EventSubject = {
        apiVersion: `${api.group}/${api.version}`,
        kind,
        namespace,
        name,
        ...(object.metadata?.uid ? { uid: object.metadata.uid } : {}),
      };
      return { ...readWorkloadState(kind, object), subject };
    },
    async podsOf(namespace, selectors) {
      let names: Set<string> | undefined;
      let pods: PodView[] = [];
      for (const selector of selectors) {
        const list = await core.listNamespacedPod({
          namespace,
          labelSelector: formatLabelSelector(selector),
        });
        const views = list.items.map(podView);
        pods = names === undefined ? views : views.filter((p) => names?.has(p.name));
        names = new Set(pods.map((p) => p.name));
      }
      return pods;
    },
    async recordEvent(subject, event) {
      const now = new Date();
      await core.createNamespacedEvent({
        namespace: subject.namespace,
        body: {
          metadata: {
            name: `${subject.name}.${randomBytes(8).toString('hex')}`,
            namespace: subject.namespace,
          },
          involvedObject: { ...subject },
          reason: event.reason,
          type: event.type,
          message: event.message.slice(0, EVENT_MESSAGE_CHARS),
          count: 1,
          firstTimestamp: now,
          lastTimestamp: now,
          source: { component: EVENT_COMPONENT },
          reportingComponent: EVENT_COMPONENT,
          reportingInstance: EVENT_COMPONENT,
        },
      });
    },
  };
}
