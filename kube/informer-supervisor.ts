// One client-node informer (ListWatch) kept alive: client-node informers stop for good on errors other
// than 410 Gone or a timeout, so a supervisor builds a new one with backoff whenever one fails. The
// operator's controllers and the server's pod watch both run their informers through it.
import { ListWatch, type KubernetesObject, type ListPromise, type Watch } from '@kubernetes/client-node';
import { backoffDelay } from '../core/backoff.ts';

export interface SupervisorLog {
  warn(obj: object, msg: string): void;
}

export interface SupervisedListWatch<T extends KubernetesObject> {
  /** Collection path of the watch (`/api/v1/pods`). */
  path: string;
  /** Names the informer in the warning logged when it restarts (`pod watch`, `informer`). */
  name: string;
  /** Fields added to that warning (the resource, say). */
  logFields?: object;
  /** A new Watch for each (re)start. */
  makeWatch: () => Watch;
  list: ListPromise<T>;
  labelSelector?: string;
  fieldSelector?: string;
  onAdd?: (object: T) => void;
  onUpdate?: (object: T) => void;
  onDelete?: (object: T) => void;
  log: SupervisorLog;
  setTimer?: (callback: () => void, ms: number) => NodeJS.Timeout;
  random?: () => number;
}

export interface SupervisedInformer<T extends KubernetesObject> {
  /** The cached object; `namespace` is omitted for a cluster-scoped one. */
  get(name: string, namespace?: string): T | undefined;
  list(): readonly T[];
  /** True once a list has completed since the last (re)start. */
  isSynced(): boolean;
  stop(): Promise<void>;
}

/** One ListWatch of `options` (not started) with its event handlers. */
function listWatch<T extends KubernetesObject>(
  options: SupervisedListWatch<T>,
  list: ListPromise<T>,
): ListWatch<T> {
  const informer = new ListWatch<T>(
    options.path,
    options.makeWatch(),
    list,
    false,
    options.labelSelector,
    options.fieldSelector,
  );
  if (options.onAdd) informer.on('add', options.onAdd);
  if (options.onUpdate) informer.on('update', options.onUpdate);
  if (options.onDelete) informer.on('delete', options.onDelete);
  return informer;
}

export function superviseInformer<T extends KubernetesObject>(
  options: SupervisedListWatch<T>,
): SupervisedInformer<T> {
  const setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
  const random = options.random ?? Math.random;
  let stopped = false;
  let synced = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let current: ListWatch<T> | undefined;

  function run(): void {
    if (stopped) return;
    synced = false;
    // Synced once the list's objects are in the cache: client-node's 'connect' comes before its list, and
    // the objects are added right after the list promise settles, so the flag is set a turn later.
    const list: ListPromise<T> = async () => {
      const result = await options.list();
      setImmediate(() => {
        if (current === informer && !stopped) synced = true;
      });
      return result;
    };
    const informer = listWatch(options, list);
    current = informer;
    informer.on('connect', () => {
      failures = 0;
    });
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed || stopped) return;
      failed = true;
      failures += 1;
      const delay = backoffDelay(failures, random(), 1000, 30_000);
      options.log.warn(
        { err: error, ...options.logFields, retryInMs: delay },
        `${options.name} failed; restarting it`,
      );
      informer.stop().catch(() => undefined);
      timer = setTimer(run, delay);
    };
    informer.on('error', fail);
    informer.start().catch(fail);
  }

  run();
  return {
    get: (name, namespace) => current?.get(name, namespace),
    list: () => current?.list() ?? [],
    isSynced: () => synced,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current?.stop();
    },
  };
}
