// Runs a controller: one supervised informer (kube/informer-supervisor.ts) per watched resource, and one
// work queue that reconciles keys, one at a time per key.
import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { superviseInformer, type SupervisedInformer } from '../kube/informer-supervisor.ts';
import { KubeRequestError, type KubeRequest } from '../kube/kube-request.ts';
import type { Controller, OperatorLog } from './controller.ts';
import { collectionPath, formatKey, keyOf, type ObjectKey, type WatchedResource } from './resources.ts';
import { terminalOf } from './terminal-error.ts';
import { createWorkQueue, type WorkQueue } from './work-queue.ts';

export interface InformerDeps {
  kubeConfig: KubeConfig;
  request: KubeRequest;
  log: OperatorLog;
  setTimer?: (callback: () => void, ms: number) => NodeJS.Timeout;
  random?: () => number;
}

async function listAll(
  request: KubeRequest,
  resource: WatchedResource,
): Promise<{ items: KubernetesObject[]; metadata: { resourceVersion?: string } }> {
  const answer = await request({
    method: 'GET',
    path: collectionPath(resource, resource.namespace),
    query: { labelSelector: resource.labelSelector, fieldSelector: resource.fieldSelector },
  });
  if (answer.status >= 300) throw new KubeRequestError(`list ${resource.plural}`, answer);
  const body = answer.body as { items?: KubernetesObject[]; metadata?: { resourceVersion?: string } };
  const items = (body.items ?? []).map((item) => ({
    ...item,
    apiVersion: resource.apiVersion,
    kind: resource.kind,
  }));
  return { items, metadata: { resourceVersion: body.metadata?.resourceVersion } };
}

/** Watches `resource` (in every namespace, or its own); `onEvent` gets every add, update and delete. */
function watchResource(
  deps: InformerDeps,
  resource: WatchedResource,
  onEvent: (object: KubernetesObject) => void,
): SupervisedInformer<KubernetesObject> {
  return superviseInformer({
    path: collectionPath(resource, resource.namespace),
    name: 'informer',
    logFields: {
      resource: resource.plural,
      ...(resource.namespace ? { namespace: resource.namespace } : {}),
    },
    makeWatch: () => new Watch(deps.kubeConfig),
    list: () => listAll(deps.request, resource),
    labelSelector: resource.labelSelector,
    fieldSelector: resource.fieldSelector,
    onAdd: onEvent,
    onUpdate: onEvent,
    onDelete: onEvent,
    log: deps.log,
    setTimer: deps.setTimer,
    random: deps.random,
  });
}

export interface RunningController {
  name: string;
  queue: WorkQueue;
  isSynced(): boolean;
  stop(): Promise<void>;
}

function parseKey(key: string): ObjectKey {
  const slash = key.indexOf('/');
  return slash < 0
    ? { namespace: '', name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * Reconciles one key: the requeue the controller asks for; a terminal error (terminal-error.ts) reported in
 * the object's status and not retried; any other error thrown, for the queue to retry with backoff.
 */
export async function reconcileKey(
  controller: Controller,
  key: ObjectKey,
  object: KubernetesObject | undefined,
  log: OperatorLog,
): Promise<number | undefined> {
  try {
    return (await controller.reconcile(key, object))?.requeueAfterMs;
  } catch (error) {
    const terminal = terminalOf(error);
    if (!terminal || !object) throw error;
    log.warn(
      { err: error, controller: controller.name, key: formatKey(key), reason: terminal.reason },
      'reconcile cannot succeed until the object changes; not retrying',
    );
    await controller.reportTerminal?.(key, object, terminal);
    return undefined;
  }
}

/** Starts the informers and the work queue of one controller. */
export function startController(
  controller: Controller,
  deps: InformerDeps & { workers?: number },
): RunningController {
  const log = deps.log;
  // The primary informer is made before the queue can run, so `handle` always finds it.
  const informers: { primary?: SupervisedInformer<KubernetesObject> } = {};
  const queue = createWorkQueue({
    workers: deps.workers ?? 2,
    handle: (key) => {
      const objectKey = parseKey(key);
      const namespace = controller.primary.namespaced ? objectKey.namespace : undefined;
      return reconcileKey(controller, objectKey, informers.primary?.get(objectKey.name, namespace), log);
    },
    onError: (key, error, retryInMs) =>
      log.warn({ err: error, controller: controller.name, key, retryInMs }, 'reconcile failed; retrying'),
  });
  const primary = watchResource(deps, controller.primary, (object) => queue.add(formatKey(keyOf(object))));
  const secondaries = (controller.secondaries ?? []).map((watch) =>
    watchResource(deps, watch.resource, (object) => {
      for (const key of watch.keysOf(object)) queue.add(formatKey(key));
    }),
  );
  informers.primary = primary;
  const all = [primary, ...secondaries];
  return {
    name: controller.name,
    queue,
    isSynced: () => all.every((informer) => informer.isSynced()),
    async stop() {
      queue.stop();
      await Promise.all(all.map((informer) => informer.stop()));
    },
  };
}
