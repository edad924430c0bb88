// Two replicas' catalogs on one real API server (RecordingEntry objects) and one real S3 server (a
// versitygw bucket): a recording finished through A is listed and downloadable through B, artifacts
// uploaded at the same time through both are all kept (conflicting writes retried), a deletion through B
// leaves A and the bucket, and a replica started later loads the shared catalog. The time B took to see
// A's recording is printed, not asserted (docs/benchmarks.md has the figures).
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, it, type TestContext } from 'node:test';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { openCatalog, type Catalog } from '../../server/catalog/catalog-store.ts';
import { createKubeEntries, entryObjectName } from '../../server/catalog/kube-entries.ts';
import { DEFAULT_RETENTION } from '../../server/catalog/retention.ts';
import { createKubeRequest } from '../../kube/kube-request.ts';
import { installCrds } from '../harness/crds.ts';
import { createNamespace, useCluster } from '../harness/cluster.ts';
import { openS3Store } from '../harness/catalog-stores.ts';
import { eventually } from '../harness/eventually.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import { startS3Server, type S3Server } from '../harness/s3-server.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { listKeys } from '../suites/catalog-store.ts';

const { cp, kc } = await useCluster();
await installCrds(cp);

/** One replica's catalog: its own data directory, the shared bucket prefix and the shared API server. */
async function replica(
  t: TestContext,
  kubeConfig: KubeConfig,
  s3: S3Server,
  prefix: string,
): Promise<Catalog> {
  const dataDir = await tempDir(t, 'furnace-replica-');
  const entries = createKubeEntries({
    request: createKubeRequest(kubeConfig),
    makeWatch: () => new Watch(kubeConfig),
    log: { warn: (fields, message) => t.diagnostic(`${message} ${JSON.stringify(fields)}`) },
  });
  const catalog = await openCatalog({
    dataDir,
    now: Date.now,
    retention: DEFAULT_RETENTION,
    artifacts: openS3Store(t, s3, prefix),
    entries,
  });
  t.after(() => catalog.close());
  return catalog;
}

async function shared(t: TestContext): Promise<{ a: Catalog; b: Catalog; s3: S3Server; namespace: string }> {
  const s3 = await startS3Server(t);
  const namespace = await createNamespace(kc, { prefix: 'entries' });
  const a = await replica(t, kc, s3, 'shared/');
  const b = await replica(t, kc, s3, 'shared/');
  return { a, b, s3, namespace };
}

const owner = (namespace: string) => ({ namespace, pod: 'web-1', podUid: 'uid-1' });

describe('catalog entries shared by two replicas through the API server and a bucket', () => {
  it('lists and serves through B a recording finished through A', async (t) => {
    const { a, b, namespace } = await shared(t);
    const id = 'Rec_Shared-1';
    const started = Date.now();
    await a.putMetadata(finishedRecordingStatus(id), owner(namespace));
    await a.putArtifact(id, 'stacks.folded', Readable.from(['main;hot 7\n']), {
      owner: owner(namespace),
      maxBytes: 1024,
    });
    const seen = await eventually(
      () => Promise.resolve((b.get(id)?.artifacts.length ?? 0) > 0 ? Date.now() : undefined),
      30_000,
      `replica B listing ${id}`,
      20,
    );
    t.diagnostic(`replica B listed A's finished recording ${seen - started} ms after A's first write`);
    assert.deepEqual(
      b.list({ namespace }).map((e) => [e.id, e.state, e.artifacts]),
      [[id, 'done', [{ name: 'stacks.folded', bytes: 11 }]]],
    );
    const artifact = await b.openArtifact(id, 'stacks.folded');
    assert.equal(artifact && (await text(artifact.body)), 'main;hot 7\n');
    const object = await cp.kubectl(['get', 'recordingentry', entryObjectName(id), '-n', namespace]);
    assert.equal(object.code, 0, object.stderr);
    assert.match(object.stdout, /Rec_Shared-1\s+web-1\s+done/);
  });

  it('keeps every artifact uploaded at the same time through both replicas', async (t) => {
    const { a, b, namespace } = await shared(t);
    const id = 'rec-both';
    await a.putMetadata(finishedRecordingStatus(id), owner(namespace));
    const names = ['stacks.folded', 'flamegraph.svg', 'flamegraph.html', 'speedscope.json'] as const;
    // B may not have seen the entry yet: it reads it from the API server before writing.
    await Promise.all(
      names.map((name, i) =>
        (i % 2 === 0 ? a : b).putArtifact(id, name, Readable.from([`${name} body`]), {
          owner: owner(namespace),
          maxBytes: 1024,
        }),
      ),
    );
    for (const replicaCatalog of [a, b])
      await eventually(
        () =>
          Promise.resolve(
            (replicaCatalog.get(id)?.artifacts.length ?? 0) === names.length ? true : undefined,
          ),
        30_000,
        'both replicas listing all four artifacts',
      );
    assert.deepEqual(
      b
        .get(id)
        ?.artifacts.map((x) => x.name)
        .sort(),
      [...names].sort(),
    );
  });

  it('removes through B what A wrote, from A too and from the bucket', async (t) => {
    const { a, b, s3, namespace } = await shared(t);
    const id = 'rec-gone';
    await a.putMetadata(finishedRecordingStatus(id), owner(namespace));
    await a.putArtifact(id, 'perf.data', Readable.from(['PERFILE2']), {
      owner: owner(namespace),
      maxBytes: 1024,
    });
    await eventually(
      () => Promise.resolve(b.get(id)?.artifacts.length ? true : undefined),
      30_000,
      'B seeing it',
    );
    assert.equal(await b.remove(id), true);
    await eventually(
      () => Promise.resolve(a.get(id) === undefined ? true : undefined),
      30_000,
      'A dropping it',
    );
    assert.deepEqual(await listKeys(openS3Store(t, s3, 'shared/')), []);
  });

  it('loads the shared catalog into a replica started later, and refuses another sidecar’s writes', async (t) => {
    const { a, s3, namespace } = await shared(t);
    await a.putMetadata(finishedRecordingStatus('rec-old'), owner(namespace));
    const later = await replica(t, kc, s3, 'shared/');
    assert.equal(later.get('rec-old')?.namespace, namespace);
    await assert.rejects(
      later.putMetadata(finishedRecordingStatus('rec-old'), { namespace, pod: 'intruder' }),
      /belongs to another sidecar/,
    );
  });
});
