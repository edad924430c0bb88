// The processes bench:proxy runs: the stand-ins (a sidecar, the bare proxies) and Furnace's server from a
// checkout, either from its sources through tsx (the default, as before) or, with BENCH_SERVER_ENTRY=image,
// as the server image runs it: the bundle (npm run build:server-bundle, built first in that checkout) with
// the image's NODE_OPTIONS and ENV from Dockerfile.server.
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { spawn, type ChildProcess } from '../harness/child-processes.ts';
import { localKeyOf } from '../harness/local-server.ts';
import { freePort } from '../harness/ports.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { serverImage } from '../harness/server-image.ts';
import { call, waitHttp } from './http-load.ts';

export type ServerEntry = 'tsx' | 'image';

const entryOf = (value: string | undefined): ServerEntry => (value === 'image' ? 'image' : 'tsx');

/** How the server runs: `tsx` (its sources) or `image` (the bundle with the image's flags and variables). */
export const SERVER_ENTRY = entryOf(process.env.BENCH_SERVER_ENTRY);
/** How BENCH_BEFORE_ROOT's server runs (BENCH_BEFORE_ENTRY, else as the other): tsx against image in one run. */
export const BEFORE_ENTRY = entryOf(process.env.BENCH_BEFORE_ENTRY ?? process.env.BENCH_SERVER_ENTRY);

/** Flags for the server only: --cpu-prof with BENCH_PROFILE_DIR, and BENCH_SERVER_FLAGS (e.g. --perf-basic-prof). */
function serverFlags(): string[] {
  const profile = process.env.BENCH_PROFILE_DIR;
  return [
    ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
    ...(process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean),
  ];
}

function spawnNode(args: string[], env: Record<string, string>, cwd = PROJECT_ROOT): ChildProcess {
  return spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** A stand-in process that prints the port it listens on; it is stopped with the others. */
export async function startStandIn(
  children: ChildProcess[],
  script: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawnNode(['--import', 'tsx', script], env);
  children.push(child);
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, port: Number(line.toString().trim()) };
}

/** Builds the bundle in a checkout, as the image's build stage does. */
async function buildBundleIn(root: string): Promise<void> {
  const build = spawn(process.execPath, ['--import', 'tsx', 'deploy/bundle/build-bundle.ts'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [code] = (await once(build, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`npm run build:server-bundle failed in ${root} (exit ${code})`);
}

async function spawnServer(
  root: string,
  entry: ServerEntry,
  env: Record<string, string>,
): Promise<ChildProcess> {
  if (entry === 'tsx') {
    return spawnNode([...serverFlags(), '--import', 'tsx', 'server/main.ts', '--local'], env, root);
  }
  await buildBundleIn(root);
  const image = serverImage();
  const [node, script] = image.entrypoint;
  if (node !== 'node' || script === undefined)
    throw new Error('Dockerfile.server: ENTRYPOINT is not node <script>');
  return spawnNode([...serverFlags(), script, '--local'], { ...image.env, ...env }, root);
}

export interface Server {
  child: ChildProcess;
  port: number;
  recorderPort: number;
  proxyToken: string;
  uploadToken: string;
  /** Local mode's key as a header (none for a checkout from before the key). */
  keyed: Record<string, string>;
}

/** A Furnace server in local mode (auth `none`) from a checkout, with the stand-in sidecar registered. */
export async function startServer(
  root: string,
  dir: string,
  sidecarPort: number,
  entry: ServerEntry = SERVER_ENTRY,
): Promise<Server> {
  await mkdir(dir, { recursive: true });
  const [port, recorderPort] = [await freePort(), await freePort()];
  await writeFile(
    join(dir, 'config.yaml'),
    `localSidecar: false\nregistrationSecret: bench\nlogLevel: warn\ndataDir: ${dir}/data\nleaseSeconds: 3600\n`,
  );
  const child = await spawnServer(root, entry, {
    FURNACE_CONFIG: join(dir, 'config.yaml'),
    FURNACE_PORT: String(port),
    FURNACE_RECORDER_PORT: String(recorderPort),
  });
  await waitHttp(recorderPort, '/healthz');
  const registered = await call(
    new Agent(),
    recorderPort,
    'POST',
    '/api/v1/sidecars',
    { authorization: 'Bearer bench', 'content-type': 'application/json' },
    JSON.stringify({ port: sidecarPort }),
  );
  const tokens = JSON.parse(registered.text) as { proxyToken: string; uploadToken: string };
  const keyed = await localKeyOf(join(dir, 'data')).then(
    (key) => key.headers,
    () => ({}),
  );
  return { child, port, recorderPort, ...tokens, keyed };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}
