// Removes registrations of deleted pods. client-node informers stop for good on most errors, so
// the informer runs inside a supervisor that builds a new one with backoff whenever it fails.
import { CoreV1Api, ListWatch, Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';

export interface PodWatchDeps {
  kc: KubeConfig;
  onDeleted: (namespace: string, pod: string, podUid: string | undefined) => void;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  setTimer?: (callback: () => void, ms: number) => NodeJS.Timeout;
}

export interface PodWatch {
  /** True once the first list has completed. */
  isSynced(): boolean;
  /** The pod as last seen by the watch, so renewals need no API call. */
  getPod(namespace: string, name: string): V1Pod | undefined;
  stop(): Promise<void>;
}

export function nextBackoff(failures: number, baseMs = 1000, maxMs = 30_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
}

export function startPodWatch(deps: PodWatchDeps): PodWatch {
  const core = deps.kc.makeApiClient(CoreV1Api);
  const setTimer = deps.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
  let stopped = false;
  let synced = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let current: ListWatch<V1Pod> | undefined;

  function run(): void {
    if (stopped) return;
    const informer = new ListWatch<V1Pod>(
      '/api/v1/pods',
      new Watch(deps.kc),
      () => core.listPodForAllNamespaces(),
      false,
    );
    current = informer;
    informer.on('delete', (pod) => {
      const { namespace, name, uid } = pod.metadata ?? {};
      if (namespace && name) deps.onDeleted(namespace, name, uid);
    });
    informer.on('connect', () => {
      synced = true;
      failures = 0;
    });
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed || stopped) return;
      failed = true;
      failures += 1;
      const delay = nextBackoff(failures);
      deps.log.warn({ err: error, retryInMs: delay }, 'pod watch failed; restarting it');
      informer.stop().catch(() => undefined);
      timer = setTimer(run, delay);
    };
    informer.on('error', fail);
    informer.start().catch(fail);
  }

  run();
  return {
    isSynced: () => synced,
    getPod: (namespace, name) => (synced ? current?.get(name, namespace) : undefined),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current?.stop();
    },
  };
}
