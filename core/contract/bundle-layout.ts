// The server image's layout: one ESM bundle per process (`npm run build:server-bundle`,
// deploy/bundle/build-bundle.ts), beside the files they serve. The build, the server that finds its files
// (server/runtime-files.ts), the operator's Deployment and Dockerfile.server name them from here.

/** Where the bundles go, relative to the project (or the image's working directory). */
export const BUNDLE_DIR = 'dist/bundle';

/** Entry points (sources, relative to the project) and the bundle each becomes in BUNDLE_DIR. */
export const BUNDLE_ENTRIES = {
  server: { source: 'server/main.ts', file: 'server.mjs' },
  operator: { source: 'operator/main.ts', file: 'operator.mjs' },
  /** What the server's local mode starts (`--local`); the sidecar image runs dist/ as before. */
  sidecar: { source: 'sidecar/main.ts', file: 'sidecar.mjs' },
  /** The node agent (agent mode's DaemonSet), in the sidecar image beside the sidecar's bundle. */
  agent: { source: 'sidecar/agent/main.ts', file: 'agent.mjs' },
  /** The `furnace` command, for `kubectl exec … catalog migrate` in the server's pod. */
  cli: { source: 'cli/furnace.ts', file: 'furnace.mjs' },
  /** `furnace collapse-perf --threads N`'s workers: furnace.mjs starts them from beside itself. */
  collapseWorker: { source: 'cli/parallel-collapse/part-worker.ts', file: 'part-worker.mjs' },
} as const;

/** speedscope's built app, copied out of its npm package: the image carries no node_modules. */
export const BUNDLE_SPEEDSCOPE_DIR = 'speedscope';

/** The licences of the packages bundled, which the image no longer carries as node_modules. */
export const BUNDLE_NOTICES_FILE = 'THIRD-PARTY-NOTICES.txt';

/** `node dist/bundle/<file>`: the command that runs one of the bundles from the image's working directory. */
export function bundleCommand(entry: keyof typeof BUNDLE_ENTRIES): string[] {
  return ['node', `${BUNDLE_DIR}/${BUNDLE_ENTRIES[entry].file}`];
}
