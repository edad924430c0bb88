// List, then watch, a collection of objects without keeping them: each page of the list and each watch
// event is handed over as it arrives and dropped, so a catalog of 100,000 RecordingEntry objects never
// sits in memory as API objects (client-node's ListWatch keeps every object it saw, managedFields and
// all, beside the index built from them). The watch starts from the list's resourceVersion, so nothing
// written during the list is missed; a 410 Gone (that version compacted away) lists again, and the
// objects the new list no longer has are reported gone. Other failures retry with backoff.
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

export interface EntryWatchOptions<T extends KubernetesObject> extends EntryWatchHandlers<T> {
  request: KubeRequest;
  makeWatch: () => Watch;
  log: SupervisorLog;
  /** The collection's path (`/apis/…/recordingentries`). */
  path: string;
  /** Names the collection in errors and warnings. */
  resource: string;
  /** Objects per page of a list. */
  pageSize: number;
  random?: () => number;
}

export interface EntryWatch {
  /** Resolves when the first list is in; rejects with its error if its first page fails before `deadline`. */
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

/** The watch client's own inactivity timeout: the watch is opened again from where it was. */
function isTimeout(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'TimeoutError';
}

export function startEntryWatch<T extends KubernetesObject>(options: EntryWatchOptions<T>): EntryWatch {
  return new ListThenWatch(options);
}

class ListThenWatch<T extends KubernetesObject> implements EntryWatch {
  readonly #options: EntryWatchOptions<T>;
  /** The keys of every object known now: what a new list compares against to report deletions. */
  readonly #known = new Set<string>();
  #resourceVersion = '';
  #stopped = false;
  #abort: AbortController | undefined;
  #wake: (() => void) | undefined;
  #firstList: { done: boolean; error?: unknown; pages: number } = { done: false, pages: 0 };
  readonly #loop: Promise<void>;

  constructor(options: EntryWatchOptions<T>) {
    this.#options = options;
    this.#loop = this.#run();
  }

  async listed(deadline: number): Promise<void> {
    // Once a page has answered, the list is under way (and its size is the catalog's): it is waited for.
    while (!this.#firstList.done) {
      if (this.#firstList.pages === 0 && Date.now() > deadline) throw this.#firstListError();
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
        if (this.#resourceVersion === '') await this.#list();
        await this.#watch();
        failures = 0;
      } catch (error) {
        if (this.#stopped) return;
        if (error instanceof Gone) {
          this.#resourceVersion = '';
          continue;
        }
        if (isTimeout(error)) continue;
        if (!this.#firstList.done) this.#firstList.error = error;
        failures += 1;
        const delay = backoffDelay(failures, (this.#options.random ?? Math.random)(), 1000, 30_000);
        this.#options.log.warn(
          { err: error, resource: this.#options.resource, retryInMs: delay },
          `${this.#options.resource} watch failed; restarting it`,
        );
        await this.#sleep(delay);
      }
    }
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
    const seen = new Set<string>();
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
    for (const key of this.#known) if (!seen.has(key)) this.#options.remove(key);
    this.#known.clear();
    for (const key of seen) this.#known.add(key);
    this.#resourceVersion = resourceVersion ?? '';
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

  #takePage(page: ListPage<T>, seen: Set<string>): void {
    this.#firstList.pages += 1;
    for (const object of page.items ?? []) {
      const key = this.#options.upsert(object);
      if (key !== undefined) seen.add(key);
    }
  }

  /** One watch from the current version, until the API server ends it (or it fails, or 410 Gone). */
  async #watch(): Promise<void> {
    const { path } = this.#options;
    const query = { resourceVersion: this.#resourceVersion, allowWatchBookmarks: true };
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
    }).catch((error: unknown) => {
      const gone = (error as { statusCode?: number }).statusCode === 410 || this.#resourceVersion === '';
      throw gone && !this.#stopped ? new Gone('watch: 410 Gone') : error;
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
}
