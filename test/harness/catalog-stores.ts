// The artifact stores the catalog suites run on (test/suites/): the `filesystem` store under the test's
// data directory, and the `s3` store on a real versitygw (one per test file, a fresh key prefix per test,
// so tests never see each other's objects).
import { randomBytes } from 'node:crypto';
import { after, before, type TestContext } from 'node:test';
import type { ArtifactStore } from '../../server/storage/artifact-store.ts';
import { openFilesystemArtifacts } from '../../server/storage/filesystem-artifacts.ts';
import { createS3Client } from '../../server/storage/s3-client.ts';
import { createS3Artifacts } from '../../server/storage/s3-artifacts.ts';
import { startS3Server, type S3Server } from './s3-server.ts';

export interface StoreUnderTest {
  name: 'filesystem' | 's3';
  /** A new artifact store for one test whose catalog lives in dataDir. */
  open(t: TestContext, dataDir: string): Promise<ArtifactStore>;
  /** The S3 server behind the store, for checks behind the catalog's back. */
  server?: () => S3Server;
}

export const filesystemStore: StoreUnderTest = {
  name: 'filesystem',
  open: (_t, dataDir) => openFilesystemArtifacts(dataDir),
};

/** The S3 store config of a server, as storage.s3 would say it, credentials from its files. */
export function s3StorageOf(server: S3Server, prefix: string) {
  return {
    endpoint: server.endpoint,
    bucket: server.bucket,
    region: server.region,
    prefix,
    forcePathStyle: true,
    accessKeyIdFile: server.accessKeyFile,
    secretAccessKeyFile: server.secretKeyFile,
  };
}

/** Opens the `s3` store on `server` under a new key prefix; its client is let go of when the test ends. */
export function openS3Store(t: Pick<TestContext, 'after'>, server: S3Server, prefix?: string): ArtifactStore {
  const storage = s3StorageOf(server, prefix ?? `t-${randomBytes(6).toString('hex')}/`);
  const store = createS3Artifacts(createS3Client(storage), storage);
  t.after(() => store.close());
  return store;
}

/**
 * The `s3` store on one versitygw that this test file starts before its tests and stops (by PID) after
 * them. Call at the top level of a test file.
 */
export function s3StoreForFile(): StoreUnderTest {
  let server: S3Server | undefined;
  const cleanups: (() => unknown)[] = [];
  before(async () => {
    server = await startS3Server({ after: (fn: () => unknown) => cleanups.push(fn) });
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const current = (): S3Server => {
    if (!server) throw new Error('the S3 server of this file has not started');
    return server;
  };
  return {
    name: 's3',
    open: (t) => Promise.resolve(openS3Store(t, current())),
    server: current,
  };
}
