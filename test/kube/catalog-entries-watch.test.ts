// A replica's index of the shared catalog, RecordingEntry objects on the real API server: on a full
// catalog, listed while another replica writes (streamed through the watch, and, from an API server
// that refuses that, in many pages of a small page size), it holds every entry once the catalog has
// opened (what readiness waits for), and what was written during the list reaches it through the watch
// from the list's resourceVersion; a watch that cannot resume (410 Gone) lists again; and an object of
// another namespace claiming a recording's id does not shadow it.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Watch } from '@kubernetes/client-node';
import { createKubeRequest, type KubeRequest } from '../../kube/kube-request.ts';
import { openCatalog, type Catalog } from '../../server/catalog/catalog-store.ts';
import { createKubeEntries, entryObjectName } from '../../server/catalog/kube-entries.ts';
import { DEFAULT_RETENTION } from '../../server/catalog/retention.ts';
import { openS3Store } from '../harness/catalog-stores.ts';
import { createNamespace, useCluster } from '../harness/cluster.ts';
import { compactEtcd } from '../harness/control-plane.ts';
import { installCrds } from '../harness/crds.ts';
import { eventually } from '../harness/eventually.ts';
import {
  entriesPath,
  filledEntryId,
  recordingEntryObject,
  writeFilledEntries,
} from '../harness/recording-entries.ts';
import { startS3Server } from '../harness/s3-server.ts';
import { tempDir } from '../harness/temp-dirs.ts';

const { cp, kc } = await useCluster();
await installCrds(cp);

const ENTRIES = 1500;
const PAGE_SIZE = 100;
/** The replica's bucket prefix, and where its store keeps a recording's objects (entries name keys there). */
const COLD_PREFIX = 'cold/';
const COLD_KEYS = `${COLD_PREFIX}recordings/`;

/**
 * Watches the test can cut off: the second (after `cut()`) waits until `resume()` and then asks from
 * resourceVersion 1, long gone from the API server's history, as a replica whose watch was down while
 * the history moved on would; the others run as asked. The API server's 410 Gone is its own.
 */
function watchesCutOff() {
  let resume = (): void => undefined;
  const resumed = new Promise<void>((resolve) => (resume = resolve));
  const open: AbortController[] = [];
  let started = 0;
  let streamedLists = 0;
  const makeWatch = (): Watch => {
    const real = new Watch(kc);
    const held: Pick<Watch, 'watch'> = {
      async watch(path, query, callback, done) {
        started += 1;
        if (query.sendInitialEvents === true) streamedLists += 1;
        const asked = started === 2 ? (await resumed, { ...query, resourceVersion: '1' }) : query;
        const controller = await real.watch(path, asked, callback, done);
        open.push(controller);
        return controller;
      },
    };
    return held as Watch;
  };
  return {
    makeWatch,
    /** Aborts the open watch; false when none is open yet. */
    cut: () => {
      open.at(-1)?.abort();
      return open.length > 0;
    },
    resume: () => resume(),
    /** How many watches asked for the list first (sendInitialEvents). */
    streamedLists: () => streamedLists,
  };
}

/**
 * Watches that hand the test the first object a streamed list brings (`onFirst` runs then, while the
 * list is under way), and, as a fake of an API server without streamed lists (older than 1.27, or its
 * WatchList feature off), that refuse `sendInitialEvents` with its 422 when `refuse` is set; `busy`
 * streamed lists are answered 429 first, as an API server still filling its watch cache answers.
 */
function watchesObserved(options: { onFirst?: () => void; refuse?: boolean; busy?: number }) {
  let busy = options.busy ?? 0;
  let streamed = 0;
  let first = true;
  const makeWatch = (): Watch => {
    const real = new Watch(kc);
    const observed: Pick<Watch, 'watch'> = {
      watch(path, query, callback, done) {
        if (query.sendInitialEvents !== true) return real.watch(path, query, callback, done);
        if (options.refuse || busy > 0) {
          const statusCode = options.refuse ? 422 : 429;
          busy -= 1;
          done(Object.assign(new Error(`status ${statusCode}`), { statusCode }));
          return Promise.resolve(new AbortController());
        }
        streamed += 1;
        return real.watch(
          path,
          query,
          (type, object, raw) => {
            if (type === 'ADDED' && first) {
              first = false;
              options.onFirst?.();
            }
            callback(type, object, raw);
          },
          done,
        );
      },
    };
    return observed as Watch;
  };
  return { makeWatch, streamed: () => streamed };
}

/**
 * The API server's client, with other writers acting between the first and second pages of the first
 * list: `during` runs once, before the request for the second page goes out.
 */
function listInterleaved(request: KubeRequest, during: () => Promise<void>) {
  const pages: string[] = [];
  let acted = false;
  const wrapped: KubeRequest = async (options) => {
    if (options.method === 'GET' && options.query?.limit !== undefined) {
      pages.push(options.query.continue ?? '');
      if (options.query.continue !== undefined && !acted) {
        acted = true;
        await during();
      }
    }
    return request(options);
  };
  return { request: wrapped, pages };
}

async function openReplica(
  t: TestContext,
  request: KubeRequest,
  makeWatch: () => Watch = () => new Watch(kc),
): Promise<Catalog> {
  const s3 = await startS3Server(t);
  const entries = createKubeEntries({
    request,
    makeWatch,
    log: { warn: (fields, message) => t.diagnostic(`${message} ${JSON.stringify(fields)}`) },
    listPageSize: PAGE_SIZE,
  });
  const catalog = await openCatalog({
    dataDir: await tempDir(t, 'furnace-cold-'),
    now: Date.now,
    retention: { ...DEFAULT_RETENTION, maxCount: 100_000, namespaceMaxCount: 100_000 },
    artifacts: openS3Store(t, s3, COLD_PREFIX),
    entries,
  });
  t.after(() => catalog.close());
  return catalog;
}

/** Creates recording `id`'s RecordingEntry in `namespace` through the API server, as another replica would. */
async function createEntry(
  request: KubeRequest,
  namespace: string,
  id: string,
  pod: string,
  at = Date.now(),
): Promise<void> {
  const body = recordingEntryObject(namespace, id, pod, at, COLD_KEYS);
  assert.equal((await request({ method: 'POST', path: entriesPath(namespace), body })).status, 201, id);
}

/** Waits until the replica's index has `has` (in `namespace`, when given) and, when given, lacks `lacks`. */
function untilIndexed(
  catalog: Catalog,
  wanted: { has: string; namespace?: string; lacks?: string },
  what: string,
): Promise<true> {
  const seen = (): boolean => {
    const entry = catalog.get(wanted.has);
    if (entry === undefined || (wanted.namespace !== undefined && entry.namespace !== wanted.namespace))
      return false;
    return wanted.lacks === undefined || catalog.get(wanted.lacks) === undefined;
  };
  return eventually(() => Promise.resolve(seen() || undefined), 30_000, what);
}

/**
 * A namespace of ENTRIES entries; `writeDuringList` adds one and deletes the newest, as another replica
 * would while a list is under way, and `check` asserts what the replica must then hold: every entry
 * stored before its list once it has opened, and those two changes soon after (through the watch).
 */
async function filledNamespace(admin: KubeRequest, prefix: string) {
  const namespace = await createNamespace(kc, { prefix });
  await writeFilledEntries(admin, namespace, { count: ENTRIES, concurrency: 32, prefix, keyRoot: COLD_KEYS });
  const idOf = (index: number) => filledEntryId(index, prefix);
  const added = `rec-during-${prefix}`;
  const deleted = idOf(ENTRIES - 1);
  return {
    async writeDuringList(): Promise<void> {
      await createEntry(admin, namespace, added, 'web-new', Date.now() + 1000);
      const path = `${entriesPath(namespace)}/${entryObjectName(deleted)}`;
      assert.equal((await admin({ method: 'DELETE', path })).status, 200);
    },
    async check(catalog: Catalog): Promise<void> {
      // Open means listed: every entry stored before the list began is in the index already.
      const missing = Array.from({ length: ENTRIES - 1 }, (_, i) => idOf(i)).filter(
        (id) => catalog.get(id) === undefined,
      );
      assert.deepEqual(missing, []);
      assert.equal(catalog.list({ namespace }).at(-1)?.id, idOf(0));
      await untilIndexed(
        catalog,
        { has: added, lacks: deleted },
        'the watch from the list’s resourceVersion bringing the entry added and the one deleted',
      );
      const listed = catalog.list({ namespace });
      assert.equal(listed.length, ENTRIES);
      assert.equal(listed[0]?.id, added);
      assert.equal(new Set(listed.map((entry) => entry.id)).size, ENTRIES, 'each entry listed once');
    },
  };
}

describe("a replica's index of the shared catalog entries (real API server)", () => {
  it('streams them all through the watch, and sees what was written and deleted during its list', async (t) => {
    const admin = createKubeRequest(kc);
    const fill = await filledNamespace(admin, 'stream');
    let writes: Promise<void> | undefined;
    const watches = watchesObserved({ onFirst: () => void (writes = fill.writeDuringList()) });
    const { request, pages } = listInterleaved(admin, () => Promise.resolve());

    const catalog = await openReplica(t, request, watches.makeWatch);
    assert.equal(watches.streamed(), 1, 'one streamed list');
    assert.deepEqual(pages, [], 'no paginated list');
    await writes;
    await fill.check(catalog);
  });

  it('lists them all in pages from an API server that refuses a streamed list (its 422 faked), and sees what was written and deleted during its list', async (t) => {
    const admin = createKubeRequest(kc);
    const fill = await filledNamespace(admin, 'paged');
    const watches = watchesObserved({ refuse: true });
    const { request, pages } = listInterleaved(admin, () => fill.writeDuringList());

    const catalog = await openReplica(t, request, watches.makeWatch);
    // Other tests' namespaces share the cluster-wide list: at least this one's pages were asked for.
    assert.ok(pages.length >= ENTRIES / PAGE_SIZE, `${pages.length} list pages`);
    await fill.check(catalog);
  });

  it('lists in pages while the API server answers a streamed list 429 (its watch cache filling, faked)', async (t) => {
    const admin = createKubeRequest(kc);
    const fill = await filledNamespace(admin, 'busy');
    const watches = watchesObserved({ busy: 1 });
    const { request, pages } = listInterleaved(admin, () => fill.writeDuringList());

    const catalog = await openReplica(t, request, watches.makeWatch);
    assert.ok(pages.length >= ENTRIES / PAGE_SIZE, `${pages.length} list pages`);
    await fill.check(catalog);
  });

  it('lists again when the API server cannot resume its watch (410 Gone), and drops what was deleted meanwhile', async (t) => {
    const admin = createKubeRequest(kc);
    const namespace = await createNamespace(kc, { prefix: 'gone' });
    // Ids of their own: the cluster-wide list also holds the other test's entries (bench-…).
    const idOf = (i: number) => `gone-${i}`;
    for (let i = 0; i < 20; i++)
      await createEntry(admin, namespace, idOf(i), `web-${i % 3}`, Date.now() - 60_000 + i * 1000);
    const watches = watchesCutOff();
    const catalog = await openReplica(t, admin, watches.makeWatch);
    assert.equal(catalog.list({ namespace }).length, 20);
    assert.equal(watches.streamedLists(), 1);

    // The watch goes down; while it is down, one entry is added and one deleted.
    await eventually(() => Promise.resolve(watches.cut() ? true : undefined), 10_000, 'the watch');
    const added = 'rec-while-cut-off';
    const deleted = idOf(7);
    await createEntry(admin, namespace, added, 'web-new', Date.now() + 1000);
    const path = `${entriesPath(namespace)}/${entryObjectName(deleted)}`;
    assert.equal((await admin({ method: 'DELETE', path })).status, 200);
    // Its history compacted (as the API server does every five minutes), so no watch can resume.
    await compactEtcd(cp);
    watches.resume();

    await untilIndexed(
      catalog,
      { has: added, lacks: deleted },
      'a new list after the 410 bringing the entry added and dropping the one deleted',
    );
    const lists = watches.streamedLists();
    assert.ok(lists >= 2, `listed again after the 410 Gone (${lists} lists)`);
    const ids = catalog.list({ namespace }).map((entry) => entry.id);
    assert.equal(ids.length, 20);
    assert.equal(ids[0], added);
    assert.equal(new Set(ids).size, 20, 'each entry once');
  });

  it('keeps one recording per id: an entry of another namespace claiming it is not listed, and its deletion removes nothing', async (t) => {
    const admin = createKubeRequest(kc);
    const [home, other] = [
      await createNamespace(kc, { prefix: 'owner' }),
      await createNamespace(kc, { prefix: 'claim' }),
    ];
    const create = (namespace: string, id: string, pod: string) => createEntry(admin, namespace, id, pod);
    const catalog = await openReplica(t, admin);
    const id = `claimed-${Date.now()}`;
    await create(home, id, 'web-1');
    await untilIndexed(catalog, { has: id, namespace: home }, 'the entry');

    // The same id written in another namespace; a later entry of the first namespace shows the watch passed it.
    await create(other, id, 'web-x');
    await create(home, `${id}-after`, 'web-1');
    await untilIndexed(catalog, { has: `${id}-after` }, 'the later entry');
    assert.equal(catalog.get(id)?.namespace, home, 'the recording keeps its namespace and pod');
    assert.equal(catalog.get(id)?.pod, 'web-1');
    assert.deepEqual(catalog.list({ namespace: other }), [], 'nothing is listed in the claiming namespace');

    assert.equal(
      (await admin({ method: 'DELETE', path: `${entriesPath(other)}/${entryObjectName(id)}` })).status,
      200,
    );
    await create(home, `${id}-last`, 'web-1');
    await untilIndexed(catalog, { has: `${id}-last` }, 'the last entry');
    assert.equal(catalog.get(id)?.namespace, home, 'deleting the claim did not remove the recording');
  });
});
