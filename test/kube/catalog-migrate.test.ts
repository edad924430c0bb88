// `catalog migrate` of the server's entry as a user runs it: a filesystem catalog filled through the real catalog code
// (several recordings, several artifacts each, one large), moved into a real versitygw bucket and
// RecordingEntry objects on the real API server by the command run as a process, killed (SIGKILL) after
// its first recording and run again. A cluster-mode server then started on the bucket lists every entry
// and serves every artifact byte for byte; the counts each run printed are checked.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { API_GROUP } from '../../core/contract/names.ts';
import { openCatalog } from '../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../server/catalog/retention.ts';
import { openFilesystemArtifacts } from '../../server/storage/filesystem-artifacts.ts';
import { s3StorageOf } from '../harness/catalog-stores.ts';
import { createNamespace, createUser, useCluster } from '../harness/cluster.ts';
import { writeClusterServerConfig } from '../harness/cluster-server-config.ts';
import { startClusterServer } from '../harness/cluster-server.ts';
import { installCrds } from '../harness/crds.ts';
import { eventually } from '../harness/eventually.ts';
import { bearerBytes, bearerCall } from '../harness/http.ts';
import { startFurnace } from '../harness/processes.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import { startS3Server } from '../harness/s3-server.ts';
import { workDir } from '../harness/temp-dirs.ts';

const { cp, kc } = await useCluster();
await installCrds(cp);

const LARGE_BYTES = 48 * 1024 * 1024;
const RECORDINGS = 4;
const ARTIFACTS = ['flamegraph.svg', 'stacks.folded', 'perf.data'] as const;

type Digests = Map<string, string>;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Fills dataDir's filesystem catalog; answers each artifact's sha256 by `id/name`. */
async function fillCatalog(dataDir: string, namespace: string): Promise<Digests> {
  const catalog = await openCatalog({
    dataDir,
    now: Date.now,
    retention: DEFAULT_RETENTION,
    artifacts: await openFilesystemArtifacts(dataDir),
  });
  const digests: Digests = new Map();
  const owner = { namespace, pod: 'web-1', podUid: 'uid-1' };
  for (let i = 1; i <= RECORDINGS; i += 1) {
    const id = `rec-migrate-${i}`;
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    const endedAt = new Date().toISOString();
    await catalog.putMetadata(
      finishedRecordingStatus(id, { startedAt, endedAt, artifacts: [...ARTIFACTS] }),
      owner,
    );
    for (const name of ARTIFACTS) {
      // The second recording's perf.data is the large one, so the kill after the first lands mid-copy.
      const bytes = randomBytes(i === 2 && name === 'perf.data' ? LARGE_BYTES : 1000 + i * 100);
      digests.set(`${id}/${name}`, sha256(bytes));
      await catalog.putArtifact(id, name, Readable.from([bytes]), { owner, maxBytes: 1024 * 1024 * 1024 });
    }
  }
  await catalog.close();
  return digests;
}

function migrate(t: TestContext, configFile: string) {
  return startFurnace(t, ['server/main.ts', 'catalog', 'migrate'], {
    FURNACE_CONFIG: configFile,
    KUBECONFIG: cp.kubeconfigPath,
  });
}

describe('furnace catalog migrate', () => {
  it('moves a filesystem catalog into a bucket, resumes after a kill, and a server on the bucket serves it all', async (t) => {
    const dir = await workDir(t, 'migrate');
    const s3 = await startS3Server(t);
    const namespace = await createNamespace(kc, { prefix: 'migrate' });
    const digests = await fillCatalog(join(dir, 'data'), namespace);
    const extra = { storage: { s3: s3StorageOf(s3, 'migrated/') }, webhook: { enabled: false } };
    const { configFile } = await writeClusterServerConfig(dir, { extra });

    const first = migrate(t, configFile);
    await eventually(
      () => Promise.resolve(first.output().includes(`[1/${RECORDINGS}]`) || undefined),
      60_000,
      'the first recording migrated',
    );
    process.kill(first.pid, 'SIGKILL');
    assert.equal(await first.exited, null, 'the first run ended by the kill');
    t.diagnostic(`first run, killed:\n${first.output()}`);

    const second = migrate(t, configFile);
    assert.equal(await second.exited, 0, second.output());
    const out = second.output();
    t.diagnostic(`second run:\n${out}`);
    const skipped = out.match(/already in the bucket, skipped/g)?.length ?? 0;
    assert.ok(skipped >= 1, 'the recording the first run finished is skipped');
    const copied = RECORDINGS - skipped;
    assert.match(
      out,
      new RegExp(
        `migrated ${copied} of ${RECORDINGS} recordings \\(${skipped} already in the bucket\\), ${copied * ARTIFACTS.length} artifacts`,
      ),
    );

    const serverDir = await workDir(t, 'migrate-server');
    const server = await startClusterServer(t, serverDir, { kubeconfigPath: cp.kubeconfigPath, extra });
    const user = await createUser(kc, {
      name: 'viewer',
      namespace,
      rules: [{ apiGroups: [API_GROUP], resources: ['recordings'], verbs: ['get', 'list'] }],
    });
    const ca = server.certs.caPem;
    const listed = await bearerCall(
      `${server.base}/api/v1/recordings?namespace=${namespace}`,
      ca,
      user.token,
    );
    assert.equal(listed.status, 200, listed.body);
    const page = JSON.parse(listed.body) as { items: { id: string; artifacts: { name: string }[] }[] };
    assert.deepEqual(
      page.items.map((e) => [e.id, e.artifacts.map((a) => a.name).sort()]).sort(),
      [...Array(RECORDINGS).keys()].map((i) => [`rec-migrate-${i + 1}`, [...ARTIFACTS].sort()]),
    );
    for (const [path, digest] of digests) {
      const got = await bearerBytes(
        `${server.base}/api/v1/recordings/${path.replace('/', '/artifacts/')}`,
        ca,
        user.token,
      );
      assert.equal(got.status, 200, `${path}: ${got.body.toString().slice(0, 200)}`);
      assert.equal(sha256(got.body), digest, `${path} byte for byte`);
    }
  });

  it('refuses, naming the setting, when storage.s3 is not set', async (t) => {
    const dir = await workDir(t, 'migrate-refused');
    const { configFile } = await writeClusterServerConfig(dir, {});
    const run = migrate(t, configFile);
    assert.equal(await run.exited, 2);
    assert.match(run.output(), /storage\.s3\.bucket is not set/);
  });
});
