// Catalog entries as RecordingEntry objects in the Kubernetes API (core/crd/recording-entry-crd.ts), one
// per recording in its namespace: what lets N replicas share one catalog. Every replica keeps its index
// from a paginated list and a watch from the list's resourceVersion (entry-watch.ts: list again on 410
// Gone, retry with backoff on any other failure), keeping only each object's parsed record. Writes
// read the object again and replace it with its resourceVersion; a conflict (another replica wrote in
// between) reads again and retries. What the objects hold is checked like a recording.json file.
import { createHash } from 'node:crypto';
import type { KubernetesObject, Watch } from '@kubernetes/client-node';
import { API_GROUP_VERSION } from '../../core/contract/names.ts';
import type { CatalogEntry } from '../../core/contract/recording.ts';
import {
  MAX_ENTRY_RECORD_BYTES,
  RECORDING_ENTRY_KIND,
  RECORDING_ENTRY_PLURAL,
  type RecordingEntrySpec,
} from '../../core/crd/recording-entry-crd.ts';
import { describeAnswer, KubeRequestError, type KubeRequest } from '../../kube/kube-request.ts';
import type { SupervisorLog } from '../../kube/informer-supervisor.ts';
import type { StoredRecording } from './catalog-entry.ts';
import { parseStoredRecording, type LoadReport } from './catalog-load.ts';
import type { EntryIndexSink, EntryStore } from './entry-store.ts';
import { startEntryWatch, type EntryWatch, type KnownKeys } from './entry-watch.ts';

interface RecordingEntryObject extends KubernetesObject {
  spec?: RecordingEntrySpec;
}

export interface KubeEntriesDeps {
  request: KubeRequest;
  makeWatch: () => Watch;
  log: SupervisorLog;
  /**
   * How long start() waits for the first page of the first list: a missing CRD or missing rights stop
   * start-up. A list under way is waited for whatever its length (its length is the catalog's).
   */
  syncTimeoutMs?: number;
  /** Entries per page of a list (LIST_PAGE unless given; tests give a small one to list in many pages). */
  listPageSize?: number;
  now?: () => number;
}

/** Writes of one entry retried on conflicts before giving up. */
const MAX_CONFLICT_RETRIES = 8;
/** Entries per page of the first list, so no answer holds the whole catalog. */
const LIST_PAGE = 500;
const COLLECTION = `/apis/${API_GROUP_VERSION}/${RECORDING_ENTRY_PLURAL}`;

/**
 * The object name of recording `id`: ids allow upper case and underscores, names do not. The readable
 * part is the id made a name; the hash of the exact id keeps two ids from ever sharing a name.
 */
export function entryObjectName(id: string): string {
  const readable = id
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .slice(0, 100)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 12);
  return readable === '' ? `r-${hash}` : `${readable}-${hash}`;
}

/** The watch's key of an entry: its namespace and id (a namespace name has no slash). */
function entryKey(namespace: string, id: string): string {
  return `${namespace}/${id}`;
}

/**
 * The watch's known keys as a view of the index: it holds every entry the watch handed over, so the
 * keys need not be kept twice. A deletion is passed on whatever (the index checks the namespace).
 */
function knownOf(entries: () => Iterable<CatalogEntry>, count: () => number): KnownKeys {
  return {
    add: () => undefined,
    delete: () => true,
    *keys() {
      for (const entry of entries()) yield entryKey(entry.namespace, entry.id);
    },
    get size() {
      return count();
    },
  };
}

function objectPath(namespace: string, id?: string): string {
  const base = `/apis/${API_GROUP_VERSION}/namespaces/${encodeURIComponent(namespace)}/${RECORDING_ENTRY_PLURAL}`;
  return id === undefined ? base : `${base}/${entryObjectName(id)}`;
}

/** The stored record an object holds, or undefined when it does not hold a valid one. */
export function recordOf(object: RecordingEntryObject, now: number): StoredRecording | undefined {
  const spec = object.spec;
  if (spec === undefined || object.metadata?.namespace === undefined) return undefined;
  if (spec.record.length > MAX_ENTRY_RECORD_BYTES) return undefined;
  const record = parseStoredRecording(spec.record, spec.id, now);
  if (typeof record === 'string' || record.entry.namespace !== object.metadata.namespace) return undefined;
  return record;
}

/** In the API's copy: error text and warnings are cut to these when the whole would not fit. */
const SHORT_ERROR = 2048;
const SHORT_WARNINGS = 10;
const SHORT_WARNING = 512;

/** The record as JSON within MAX_ENTRY_RECORD_BYTES: error text and warnings shortened if it must. */
export function recordText(record: StoredRecording): string {
  const text = JSON.stringify(record);
  if (Buffer.byteLength(text) <= MAX_ENTRY_RECORD_BYTES) return text;
  const { error, warnings } = record.entry;
  const entry = { ...record.entry };
  if (error !== undefined) entry.error = error.slice(0, SHORT_ERROR);
  if (warnings !== undefined)
    entry.warnings = warnings.slice(0, SHORT_WARNINGS).map((w) => w.slice(0, SHORT_WARNING));
  return JSON.stringify({ ...record, entry });
}

function objectOf(record: StoredRecording, resourceVersion?: string): RecordingEntryObject {
  const { entry } = record;
  const text = recordText(record);
  if (Buffer.byteLength(text) > MAX_ENTRY_RECORD_BYTES)
    throw new Error(
      `the catalog entry of ${entry.id} is ${text.length} bytes, more than a RecordingEntry holds (${MAX_ENTRY_RECORD_BYTES})`,
    );
  return {
    apiVersion: API_GROUP_VERSION,
    kind: RECORDING_ENTRY_KIND,
    metadata: {
      name: entryObjectName(entry.id),
      namespace: entry.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'furnace' },
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    },
    spec: { id: entry.id, pod: entry.pod, state: entry.state, startedAt: entry.startedAt, record: text },
  };
}

export function createKubeEntries(deps: KubeEntriesDeps): EntryStore {
  return new KubeEntries(deps);
}

class KubeEntries implements EntryStore {
  readonly kind = 'kubernetes';
  readonly #deps: Required<KubeEntriesDeps>;
  #watch: EntryWatch | undefined;

  constructor({
    syncTimeoutMs = 30_000,
    listPageSize = LIST_PAGE,
    now = Date.now,
    ...deps
  }: KubeEntriesDeps) {
    this.#deps = { ...deps, syncTimeoutMs, listPageSize, now };
  }

  #now(): number {
    return this.#deps.now();
  }

  async start(index: EntryIndexSink): Promise<LoadReport> {
    const report: LoadReport = { refused: { 'too-large': 0, unreadable: 0, 'not-an-entry': 0 }, dropped: 0 };
    this.#watch = startEntryWatch<RecordingEntryObject>({
      request: this.#deps.request,
      makeWatch: this.#deps.makeWatch,
      log: this.#deps.log,
      path: COLLECTION,
      resource: RECORDING_ENTRY_PLURAL,
      pageSize: this.#deps.listPageSize,
      ...(index.entries && index.count
        ? { known: knownOf(index.entries.bind(index), index.count.bind(index)) }
        : {}),
      // Only the parsed record is kept: the object (its metadata, managedFields, the record's text) is dropped.
      upsert: (object) => {
        const record = recordOf(object, this.#now());
        if (record === undefined) {
          report.refused['not-an-entry'] += 1;
          return undefined;
        }
        const { id, namespace } = record.entry;
        if (!index.upsert(record)) {
          this.#deps.log.warn(
            { id, namespace },
            'a RecordingEntry claims the id of a recording in another namespace, or names artifact objects outside its own recording; it is not listed',
          );
          return undefined;
        }
        return entryKey(namespace, id);
      },
      remove: (key) => {
        const slash = key.indexOf('/');
        index.remove(key.slice(slash + 1), key.slice(0, slash));
      },
      keyOf: (object) => {
        const namespace = object.metadata?.namespace;
        const id = object.spec?.id;
        return namespace === undefined || id === undefined ? undefined : entryKey(namespace, id);
      },
    });
    try {
      await this.#watch.listed(Date.now() + this.#deps.syncTimeoutMs);
    } catch (error) {
      // Start-up fails: nothing keeps listing behind it.
      await this.#watch.stop();
      throw error;
    }
    return report;
  }

  async #get(id: string, namespace: string): Promise<RecordingEntryObject | undefined> {
    const answer = await this.#deps.request({ method: 'GET', path: objectPath(namespace, id) });
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw new KubeRequestError(`get RecordingEntry of ${id}`, answer);
    return answer.body as RecordingEntryObject;
  }

  async read(id: string, namespace: string): Promise<StoredRecording | undefined> {
    const object = await this.#get(id, namespace);
    return object && recordOf(object, this.#now());
  }

  async update(
    id: string,
    namespace: string,
    _known: StoredRecording | undefined,
    change: (current: StoredRecording | undefined) => StoredRecording | undefined,
  ): Promise<StoredRecording | undefined> {
    for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
      const object = await this.#get(id, namespace);
      const current = object && recordOf(object, this.#now());
      const next = change(current);
      if (next === undefined) return undefined;
      const version = object?.metadata?.resourceVersion;
      const answer = await this.#deps.request(
        object
          ? { method: 'PUT', path: objectPath(namespace, id), body: objectOf(next, version) }
          : { method: 'POST', path: objectPath(namespace), body: objectOf(next) },
      );
      if (answer.status === 200 || answer.status === 201) return next;
      // 409: another replica wrote (or created) it in between; read it again and redo the change.
      if (answer.status !== 409) throw new KubeRequestError(`write RecordingEntry of ${id}`, answer);
    }
    throw new Error(
      `the RecordingEntry of ${id} changed under ${MAX_CONFLICT_RETRIES + 1} writes in a row; last try refused`,
    );
  }

  async remove(id: string, namespace: string): Promise<boolean> {
    const answer = await this.#deps.request({ method: 'DELETE', path: objectPath(namespace, id) });
    if (answer.status === 404) return false;
    if (answer.status !== 200 && answer.status !== 202)
      throw new Error(`delete RecordingEntry of ${id}: ${describeAnswer(answer)}`);
    return true;
  }

  async stop(): Promise<void> {
    await this.#watch?.stop();
  }
}
