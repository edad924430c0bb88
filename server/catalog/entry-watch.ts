// List, then watch, a collection of objects without keeping them: each object listed and each watch
// event is handed over as it arrives and dropped, so a catalog of 100,000 RecordingEntry objects never
// sits in memory as API objects (client-node's ListWatch keeps every object it saw, managedFields and
// all, beside the index built from them).
//
// The list is streamed through the watch itself where the API server allows it (a watch with
// `sendInitialEvents=true`: every object as an ADDED event from the API server's watch cache, then a
// bookmark marking the end, then the changes after it), because a paginated list (`limit`, `continue`)
// is served from etcd, page by page, and took 1.6 to 1.75 times as long for 100,000 entries (docs/
// benchmarks.md, `bench:catalog`). An API server that refuses such a watch (older
// than 1.27, or its WatchList feature off) gets the paginated list, and the watch starts from the
// list's resourceVersion. Either way nothing written during the list is missed; a 410 Gone (that
// version compacted away) lists again, and the objects the new list no longer has are reported gone.
// Other failures retry with backoff.
import type { KubernetesObject, Watch } from '@kubernetes/client-node';
import { backoffDelay } from '../../core/backoff.ts';
import { KubeRequestError, type KubeRequest } from '../../kube/kube-request.ts';
import type { SupervisorLog } from '../../kube/informer-supervisor.ts';

export interface EntryWatchHandlers<T extends KubernetesObject> {
  /** An object listed or added or changed; returns the key it is known by (undefined: not one of ours). */
  upsert(object: T): string | undefined;
  /** An object deleted (or gone from a new list: only its key is known then). */
  remove(key: string): void;
  /** The key of a deleted object. */
  keyOf(object: T): string | undefined;
}

/**
 * The keys of the objects known now. A Set of its own unless given: a caller whose index can say them
 * gives a view of it, so that 100,000 keys are not held twice (13 MiB of heap; docs/benchmarks.md).
 */
export interface KnownKeys {
  add(key: string): void;
  /** Forgets the key; false when it was not known (a deletion of an object never handed over). */
  delete(key: string): boolean;
  keys(): Iterable<string>;
  readonly size: number;
}

export interface EntryWatchOptions<T extends KubernetesObject> extends EntryWatchHandlers<T> {
  /** The known keys, when the caller keeps them (a Set of the watch's own otherwise). */
  known?: KnownKeys;
  request: KubeRequest;
  makeWatch: () => Watch;
  log: SupervisorLog;
  /** The collection's path (`/apis/…/recordingentries`). */
  path: string;
  /** Names the collection in errors and warnings. */
  resource: string;
  /** Objects per page of a paginated list. */
  pageSize: number;
  /** False: always the paginated list (as for an API server that refuses a streamed one). True unless given. */
  streamList?: boolean;
  random?: () => number;
}

export interface EntryWatch {
  /** Resolves when the first list is in; rejects with its error if it has not begun answering by `deadline`. */
  listed(deadline: number): Promise<void>;
  stop(): Promise<void>;
}

interface WatchEvent {
  type?: string;
  object?: KubernetesObject & { code?: number };
}

interface ListPage<T> {
  items?: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** A watch ended by a 410 Gone: its resourceVersion is too old, and the collection is listed again. */
class Gone extends Error {}

/** A streamed list refused by the API server: the collection is listed in pages from then on. */
class StreamRefused extends Error {}

/**
 * A streamed list the API server cannot serve yet: its watch cache of the collection is still being
 * filled (429 Too Many Requests, for a minute after an API server of 100,000 entries starts). That list
 * is made in pages, which etcd serves, so a replica is not held back by the API server's start.
 */
class StreamNotYet extends Error {}

/** The watch client's own inactivity timeout: the watch is opened again from where it was. */
function isTimeout(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'TimeoutError';
}

/**
 * The answer of an API server that does not stream a list through a watch: `sendInitialEvents` and
 * `resourceVersionMatch` on a watch are invalid to it (422 Invalid; 400 from some front proxies).
 */
function isStreamListRefused(error: unknown): boolean {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return status === 422 || status === 400;
}

/** What a streamed list's failure means for the next list. */
function streamError(error: unknown): unknown {
  if (isStreamListRefused(error)) return new StreamRefused('watch with sendInitialEvents refused');
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return status === 429 ? new StreamNotYet('watch with sendInitialEvents: 429 Too Many Requests') : error;
}

/** The bookmark that ends a streamed list's initial events (KEP-3157). */
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

export function startEntryWatch<T extends KubernetesObject>(options: EntryWatchOptions<T>): EntryWatch {
  return new ListThenWatch(options);
}

class ListThenWatch<T extends KubernetesObject> implements EntryWatch {
  readonly #options: EntryWatchOptions<T>;
  /** The keys of every object known now: what a new list compares against to report deletions. */
  #known: KnownKeys;
  /** Whether #known is the watch's own Set (then a list's keys become it). */
  readonly #ownKnown: boolean;
  #resourceVersion = '';
  /** Whether a list is asked for through the watch (until the API server refuses it once). */
  #streamList: boolean;
  /** Whether the next list is made in pages, the API server's watch cache not being ready. */
  #pagesOnce = false;
  /**
   * A streamed list under way (undefined outside its initial events), with the keys it has handed over
   * so far when they are needed (something was known before it).
   */
  #streaming: { seen: Set<string> | undefined } | undefined;
  #stopped = false;
  #abort: AbortController | undefined;
  #wake: (() => void) | undefined;
  #firstList: { done: boolean; error?: unknown; answered: boolean } = { done: false, answered: false };
  readonly #loop: Promise<void>;

  constructor(options: EntryWatchOptions<T>) {
    this.#options = options;
    this.#streamList = options.streamList ?? true;
    this.#known = options.known ?? new Set<string>();
    this.#ownKnown = options.known === undefined;
    this.#loop = this.#run();
  }

  async listed(deadline: number): Promise<void> {
    // Once the list has begun answering, it is under way (and its size is the catalog's): it is waited for.
    while (!this.#firstList.done) {
      if (!this.#firstList.answered && Date.now() > deadline) throw this.#firstListError();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  #firstListError(): Error {
    const cause = this.#firstList.error;
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return new Error(
      `the list of ${this.#options.resource} did not complete${detail}; is the RecordingEntry CRD installed, and may the server list and watch it?`,
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort?.abort();
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      try {
        if (this.#resourceVersion === '' && (!this.#streamList || this.#pagesOnce)) {
          this.#pagesOnce = false;
          await this.#list();
        }
        await this.#watch();
        failures = 0;
      } catch (error) {
        if (this.#stopped) return;
        if (error instanceof Gone) {
          this.#resourceVersion = '';
          continue;
        }
        if (isTimeout(error)) continue;
        if (error instanceof StreamRefused) {
          this.#options.log.warn(
            { err: error, resource: this.#options.resource },
            `the API server does not stream the list of ${this.#options.resource} through a watch; listing it in pages`,
          );
          this.#streamList = false;
          continue;
        }
        if (error instanceof StreamNotYet) {
          this.#pagesOnce = true;
          continue;
        }
        failures = await this.#failed(error, failures);
      }
    }
  }

  async #failed(error: unknown, failures: number): Promise<number> {
    if (!this.#firstList.done) this.#firstList.error = error;
    const delay = backoffDelay(failures + 1, (this.#options.random ?? Math.random)(), 1000, 30_000);
    this.#options.log.warn(
      { err: error, resource: this.#options.resource, retryInMs: delay },
      `${this.#options.resource} watch failed; restarting it`,
    );
    await this.#sleep(delay);
    return failures + 1;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * Every object, a page at a time, each handed over as its page arrives; the version is the first page's
   * (a paginated list is one snapshot). The next page is asked for before this one is handed over, so the
   * API server prepares it while this process parses.
   */
  async #list(): Promise<void> {
    const seen = this.#newSeen();
    let resourceVersion: string | undefined;
    let next: Promise<ListPage<T>> | undefined = this.#page(undefined);
    while (next !== undefined) {
      const page: ListPage<T> = await next;
      if (this.#stopped) return;
      const token: string | undefined = page.metadata?.continue || undefined;
      next = token === undefined ? undefined : this.#page(token);
      // A failure of the page asked for ahead is seen when it is awaited; until then it is not unhandled.
      next?.catch(() => undefined);
      this.#takePage(page, seen);
      resourceVersion ??= page.metadata?.resourceVersion;
    }
    this.#listEnded(seen, resourceVersion ?? '');
  }

  /** A set for a list's keys, when they will be needed: to become the known ones, or to compare with them. */
  #newSeen(): Set<string> | undefined {
    return this.#ownKnown || this.#known.size > 0 ? new Set<string>() : undefined;
  }

  /** A whole list is in: what the list before had and this one lacks is gone; the watch goes on from `resourceVersion`. */
  #listEnded(seen: Set<string> | undefined, resourceVersion: string): void {
    if (seen !== undefined)
      for (const key of [...this.#known.keys()])
        if (!seen.has(key)) {
          this.#known.delete(key);
          this.#options.remove(key);
        }
    // The list's keys become the known ones as they are (a copy would hold 100,000 keys twice for a while).
    if (this.#ownKnown) this.#known = seen ?? new Set<string>();
    this.#resourceVersion = resourceVersion;
    this.#firstList.done = true;
  }

  async #page(token: string | undefined): Promise<ListPage<T>> {
    const { request, path, pageSize, resource } = this.#options;
    const answer = await request({
      method: 'GET',
      path,
      query: { limit: String(pageSize), continue: token },
    });
    if (answer.status === 410) throw new Gone(`list of ${resource}: continue token expired`);
    if (answer.status !== 200) throw new KubeRequestError(`list ${resource}`, answer);
    return answer.body as ListPage<T>;
  }

  #takePage(page: ListPage<T>, seen: Set<string> | undefined): void {
    this.#firstList.answered = true;
    for (const object of page.items ?? []) {
      const key = this.#options.upsert(object);
      if (key !== undefined) seen?.add(key);
    }
  }

  /**
   * One watch from the current version, until the API server ends it (or it fails, or 410 Gone). With no
   * version yet, the watch streams the list first (every object as it is now, then a bookmark).
   */
  #watchQuery(): Record<string, string | boolean> {
    if (this.#resourceVersion !== '')
      return { resourceVersion: this.#resourceVersion, allowWatchBookmarks: true };
    this.#streaming = { seen: this.#newSeen() };
    // NotOlderThan with no version: a consistent snapshot, as a list without a resourceVersion is.
    return { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true };
  }

  async #watch(): Promise<void> {
    const { path } = this.#options;
    const query = this.#watchQuery();
    await new Promise<void>((resolve, reject) => {
      const done = (error: unknown): void => {
        if (!error) resolve();
        else reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
      };
      this.#options
        .makeWatch()
        .watch(
          path,
          query,
          (type: string, object: WatchEvent['object']) => this.#event({ type, object }),
          done,
        )
        .then((controller: AbortController) => {
          this.#abort = controller;
          if (this.#stopped) controller.abort();
        }, reject);
    })
      .catch((error: unknown) => {
        if (this.#streaming !== undefined) throw streamError(error);
        const gone = (error as { statusCode?: number }).statusCode === 410 || this.#resourceVersion === '';
        throw gone && !this.#stopped ? new Gone('watch: 410 Gone') : error;
      })
      .finally(() => {
        // A streamed list cut short is asked for whole again (from no version): what it gave stays until then.
        if (this.#streaming !== undefined) this.#resourceVersion = '';
        this.#streaming = undefined;
      });
    if (this.#resourceVersion === '') throw new Gone('watch: 410 Gone');
  }

  #event({ type, object }: WatchEvent): void {
    if (!object) return;
    if (type === 'ERROR') {
      // 410 Gone arrives as an ERROR event; the watch ends next and the collection is listed again.
      if (object.code === 410) this.#resourceVersion = '';
      this.#abort?.abort();
      return;
    }
    const streaming = this.#streaming;
    if (streaming !== undefined) {
      this.#initialEvent(type, object, streaming);
      return;
    }
    if (type === 'ADDED' || type === 'MODIFIED') {
      const key = this.#options.upsert(object as T);
      if (key !== undefined) this.#known.add(key);
    } else if (type === 'DELETED') {
      const key = this.#options.keyOf(object as T);
      if (key !== undefined && this.#known.delete(key)) this.#options.remove(key);
    }
    const version = object.metadata?.resourceVersion;
    if (version) this.#resourceVersion = version;
  }

  /**
   * An event of a streamed list before its end: the objects come in name order, not in the order they
   * were written, so no version is taken from them; the closing bookmark's is the list's.
   */
  #initialEvent(
    type: string | undefined,
    object: KubernetesObject,
    streaming: { seen: Set<string> | undefined },
  ): void {
    this.#firstList.answered = true;
    if (type === 'ADDED') {
      const key = this.#options.upsert(object as T);
      if (key !== undefined) streaming.seen?.add(key);
    } else if (type === 'BOOKMARK' && object.metadata?.annotations?.[INITIAL_EVENTS_END] === 'true') {
      this.#streaming = undefined;
      this.#listEnded(streaming.seen, object.metadata.resourceVersion ?? '');
    }
  }
}
