// Runs controllers: one informer (client-node ListWatch) per watched resource, each inside a supervisor
// that builds a new one with backoff whenever it fails (client-node informers stop for good on errors
// other than 410 Gone), and one work queue per controller that reconciles keys, one at a time per key.
import { ListWatch, Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { backoffDelay } from '../core/backoff.ts';
import {
  formatKey,
  keyOf,
  type Controller,
  type ObjectKey,
  type OperatorLog,
  type WatchedResource,
} from './controller.ts';
import { KubeRequestError, type KubeRequest } from './kube-request.ts';
import { collectionPath } from './resources.ts';
import { createWorkQueue, type WorkQueue } from './work-queue.ts';

export interface InformerDeps {
  kubeConfig: KubeConfig;
  request: KubeRequest;
  log: OperatorLog;
  setTimer?: (callback: () => void, ms: number) => NodeJS.Timeout;
  random?: () => number;
}

export interface SupervisedInformer<T extends KubernetesObject> {
  get(key: ObjectKey): T | undefined;
  list(): T[];
  /** True once a list has completed since the last (re)start. */
  isSynced(): boolean;
  stop(): Promise<void>;
}

type EventHandler = (object: KubernetesObject) => void;

async function listAll(
  request: KubeRequest,
  resource: WatchedResource,
): Promise<{ items: KubernetesObject[]; metadata: { resourceVersion?: string } }> {
  const answer = await request({
    method: 'GET',
    path: collectionPath(resource),
    query: { labelSelector: resource.labelSelector },
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

/** Watches `resource` in every namespace; `onEvent` gets every add, update and delete. */
export function superviseInformer<T extends KubernetesObject>(
  deps: InformerDeps,
  resource: WatchedResource,
  onEvent: EventHandler,
): SupervisedInformer<T> {
  const setTimer = deps.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
  const random = deps.random ?? Math.random;
  let stopped = false;
  let synced = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let current: ListWatch<T> | undefined;

  function run(): void {
    if (stopped) return;
    synced = false;
    const informer = new ListWatch<T>(
      collectionPath(resource),
      new Watch(deps.kubeConfig),
      () =>
        listAll(deps.request, resource) as Promise<{ items: T[]; metadata: { resourceVersion?: string } }>,
      false,
      resource.labelSelector,
    );
    current = informer;
    for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, onEvent);
    informer.on('connect', () => {
      synced = true;
      failures = 0;
    });
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed || stopped) return;
      failed = true;
      failures += 1;
      const delay = backoffDelay(failures, random(), 1000, 30_000);
      deps.log.warn(
        { err: error, resource: resource.plural, retryInMs: delay },
        'informer failed; restarting it',
      );
      informer.stop().catch(() => undefined);
      timer = setTimer(run, delay);
    };
    informer.on('error', fail);
    informer.start().catch(fail);
  }

  run();
  return {
    get: (key) => current?.get(key.name, resource.namespaced ? key.namespace : undefined),
    list: () => [...(current?.list() ?? [])],
    isSynced: () => synced,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current?.stop();
    },
  };
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
    handle: async (key) => {
      const objectKey = parseKey(key);
      const outcome = await controller.reconcile(objectKey, informers.primary?.get(objectKey));
      return outcome?.requeueAfterMs;
    },
    onError: (key, error, retryInMs) =>
      log.warn({ err: error, controller: controller.name, key, retryInMs }, 'reconcile failed; retrying'),
  });
  const primary = superviseInformer(deps, controller.primary, (object) =>
    queue.add(formatKey(keyOf(object))),
  );
  const secondaries = (controller.secondaries ?? []).map((watch) =>
    superviseInformer(deps, watch.resource, (object) => {
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
