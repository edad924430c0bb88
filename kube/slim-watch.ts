// A client-node Watch whose object events carry only what `slim` keeps of each object. An informer caches
// the objects its watch hands it, and the API server's objects in full (managedFields, every annotation,
// every field of a pod's spec) cost a watch of thousands of them tens of MiB. Error and bookmark events
// pass through as they are. The pod watch and the shared records' watch both slim their objects here.
import { Watch, type KubeConfig } from '@kubernetes/client-node';

const OBJECT_EVENTS = new Set(['ADDED', 'MODIFIED', 'DELETED']);

export class SlimWatch extends Watch {
  readonly #slim: (object: unknown) => unknown;
  readonly #inner: Watch;

  /** `inner` does the watching (client-node's Watch unless given, e.g. kube/paced-watch.ts's). */
  constructor(kc: KubeConfig, slim: (object: unknown) => unknown, inner: Watch = new Watch(kc)) {
    super(kc);
    this.#slim = slim;
    this.#inner = inner;
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return this.#inner.watch(
      path,
      queryParams,
      // The whole event stays out of the callback: nothing downstream keeps the object in full.
      (phase, apiObj) => callback(phase, OBJECT_EVENTS.has(phase) ? this.#slim(apiObj) : apiObj),
      done,
    );
  }
}
