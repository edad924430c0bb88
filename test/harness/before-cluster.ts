// The guard of test/run.sh's early run: the files it runs before the cluster is up (cluster-free-files.ts
// found that they import nothing of it) must not start one of their own either. On a fresh machine that
// would build Kubernetes a second time beside the background build.

/** Throws when this process runs in test/run.sh's early run (FURNACE_TEST_BEFORE_CLUSTER=1). */
export function refuseBeforeCluster(what: string): void {
  if (process.env.FURNACE_TEST_BEFORE_CLUSTER !== '1') return;
  throw new Error(
    `${what} was asked for by a test file that test/run.sh runs before the cluster is up, because none of ` +
      'its imports reach test/harness/control-plane.ts or test/harness/node/: import the harness that starts it ' +
      '(test/harness/cluster-free-files.ts decides which files run early)',
  );
}
