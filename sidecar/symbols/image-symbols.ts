// `symbols: image`: pull the target container's image, create (never run) a container from it and mount it,
// and hand its binaries to perf by build id. Cleanup unmounts and removes the container.
//
// Why not `perf script --symfs <mount>`: for a target in another mount namespace (every container but the
// sidecar's own), perf enters the target's namespace to open binaries, and a mount made in the sidecar is
// not visible there. perf reads its build-id cache from its own namespace, so the image's binaries are added
// to the recording's cache instead; the build id also proves that the image file is the one that ran.
import { lstat, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { addToBuildIdCache } from './buildid-cache.ts';
import { DEFAULT_MAX_BINARY_BYTES } from './binary-cache.ts';
import { resolveInRoot } from '../host/safe-copy.ts';
import { pullWithinBudget, type StorageBudget } from './image-pull-budget.ts';
import type { CommandResult, RunCommand, SpawnFn } from '../host/runtime.ts';

export interface ImageMountOptions {
  podmanPath: string;
  image: string;
  /** A pull secret (`.dockerconfigjson`) or a directory of them, for --authfile. */
  pullSecretPath?: string;
  mirrors: Record<string, string[]>;
  insecureRegistries: readonly string[];
  /** Directory for the generated registries.conf. */
  workDir: string;
  /** Name of the created container, unique per recording. */
  containerName: string;
  /** When set, a pull that would take podman's volume past its budget is stopped and removed. */
  storage?: StorageBudget;
}

export interface ImageMount {
  root: string;
  cleanup(): Promise<void>;
}

function quote(value: string): string {
  return JSON.stringify(value);
}

/** registries.conf (v2) declaring mirrors and registries reached without TLS verification. */
export function renderRegistriesConf(mirrors: Record<string, string[]>, insecure: readonly string[]): string {
  const lines = [
    '# written by the furnace sidecar for image symbol lookups',
    'unqualified-search-registries = ["docker.io"]',
    '',
  ];
  const registries = new Set([...Object.keys(mirrors), ...insecure]);
  for (const registry of registries) {
    lines.push('[[registry]]', `prefix = ${quote(registry)}`, `location = ${quote(registry)}`);
    lines.push(`insecure = ${insecure.includes(registry)}`);
    for (const mirror of mirrors[registry] ?? []) {
      lines.push(
        '[[registry.mirror]]',
        `location = ${quote(mirror)}`,
        `insecure = ${insecure.includes(mirror)}`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

function failure(step: string, result: CommandResult): Error {
  const text = (result.stderr.trim() || result.stdout.trim()).slice(-500);
  return new Error(`podman ${step} failed (exit ${result.code ?? 'signal'}): ${text}`);
}

/**
 * The file for `podman --authfile`: the pull-secret file itself, or, for a directory of pull secrets (one
 * `<name>.dockerconfigjson` per imagePullSecret), their `auths` merged into one file in workDir.
 */
export async function resolveAuthFile(
  path: string | undefined,
  workDir: string,
): Promise<string | undefined> {
  if (path === undefined) return undefined;
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return undefined;
  if (!info.isDirectory()) return path;
  const auths: Record<string, unknown> = {};
  for (const name of (await readdir(path)).filter((n) => n.endsWith('.dockerconfigjson')).sort()) {
    try {
      const parsed = JSON.parse(await readFile(`${path}/${name}`, 'utf8')) as {
        auths?: Record<string, unknown>;
      };
      for (const [registry, entry] of Object.entries(parsed.auths ?? {})) auths[registry] ??= entry;
    } catch {
      // an unreadable or malformed secret does not block the others
    }
  }
  if (Object.keys(auths).length === 0) return undefined;
  const merged = `${workDir}/auth.json`;
  await writeFile(merged, JSON.stringify({ auths }), { mode: 0o600 });
  return merged;
}

/** Pulls, creates and mounts; on any failure what was made so far is removed again. */
export async function mountImage(run: RunCommand, options: ImageMountOptions): Promise<ImageMount> {
  const env: NodeJS.ProcessEnv = {};
  if (Object.keys(options.mirrors).length > 0 || options.insecureRegistries.length > 0) {
    const confPath = `${options.workDir}/registries.conf`;
    await writeFile(confPath, renderRegistriesConf(options.mirrors, options.insecureRegistries));
    env.CONTAINERS_REGISTRIES_CONF = confPath;
  }
  const podman = (args: string[]): Promise<CommandResult> => run(options.podmanPath, args, env);
  const authFile = await resolveAuthFile(options.pullSecretPath, options.workDir);
  const auth = authFile === undefined ? [] : ['--authfile', authFile];

  const pullArgs = ['pull', '--quiet', ...auth, options.image];
  const { storage } = options;
  if (storage) {
    // podman downloads layers to TMPDIR before it unpacks them: keep that in the measured volume too.
    env.TMPDIR = `${storage.dir}/tmp`;
    await mkdir(env.TMPDIR, { recursive: true });
  }
  let pulled: CommandResult;
  try {
    pulled = storage
      ? await pullWithinBudget(
          (signal) => run(options.podmanPath, pullArgs, env, signal),
          storage,
          () => podman(['rmi', '--force', options.image]),
        )
      : await podman(pullArgs);
  } finally {
    if (authFile !== undefined && authFile !== options.pullSecretPath) await rm(authFile, { force: true });
  }
  if (pulled.code !== 0) throw failure('pull', pulled);
  // A command is given so images without CMD or ENTRYPOINT can be created too; it never runs.
  const created = await podman([
    'create',
    '--name',
    options.containerName,
    options.image,
    '/furnace-never-runs',
  ]);
  if (created.code !== 0) throw failure('create', created);
  const containerId = created.stdout.trim().split('\n').at(-1) ?? options.containerName;
  const cleanup = async (): Promise<void> => {
    await podman(['umount', containerId]);
    const removed = await podman(['rm', '--force', containerId]);
    if (removed.code !== 0) throw failure('rm', removed);
  };
  const mounted = await podman(['mount', containerId]);
  const root = mounted.stdout.trim();
  if (mounted.code !== 0 || root === '') {
    await cleanup().catch(() => undefined);
    throw failure('mount', mounted);
  }
  return { root, cleanup };
}

/**
 * A RunCommand on top of a spawn function: collects output, never throws on a non-zero exit. Commands
 * run in `baseEnv` (the process environment, from main.ts) plus the variables a call adds.
 */
export function commandRunner(spawn: SpawnFn, baseEnv: NodeJS.ProcessEnv): RunCommand {
  return (command, args, env, signal) =>
    new Promise<CommandResult>((resolve) => {
      const child = spawn(command, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...baseEnv, ...env },
      });
      signal?.addEventListener('abort', () => child.kill('SIGKILL'), { once: true });
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8');
      child.stderr?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => (stdout += chunk));
      child.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8000)));
      child.on('error', (error: Error) =>
        resolve({ code: null, stdout, stderr: `${stderr}${error.message}` }),
      );
      child.on('close', (code: number | null) => resolve({ code, stdout, stderr }));
    });
}

/** Paths of the binaries perf.data names, with their build ids (`perf buildid-list`); kernel and vdso left out. */
export function parseBuildIdList(text: string): { buildId: string; path: string }[] {
  return text.split('\n').flatMap((line) => {
    const match = /^([0-9a-f]{8,})\s+(\/.+)$/.exec(line.trim());
    return match?.[1] === undefined || match[2] === undefined ? [] : [{ buildId: match[1], path: match[2] }];
  });
}

/**
 * The image's regular file at `path`, every link resolved inside the image (an image's absolute link
 * names a file of the image, never one of the sidecar); undefined for anything else or anything larger
 * than `maxBytes`.
 */
async function imageFile(
  root: string,
  path: string,
  maxBytes: number,
): Promise<{ path: string; bytes: number } | undefined> {
  try {
    const resolved = await resolveInRoot(root, path);
    const info = await lstat(resolved);
    return info.isFile() && info.size <= maxBytes ? { path: resolved, bytes: info.size } : undefined;
  } catch {
    return undefined;
  }
}

/** Puts each recorded binary that the image holds into perf's build-id cache, in place of what perf record cached; returns how many. */
export async function addImageBinaries(
  run: RunCommand,
  options: {
    perfPath: string;
    root: string;
    dataFile: string;
    buildIdDir: string;
    maxBytes?: number;
    /** Whether a binary of this many bytes may go into the cache now (the disk budget); yes when unset. */
    fits?: (bytes: number) => Promise<boolean>;
  },
): Promise<{ added: number; skippedBytes: number }> {
  const listed = await run(options.perfPath, [
    '--buildid-dir',
    options.buildIdDir,
    'buildid-list',
    '-i',
    options.dataFile,
  ]);
  let added = 0;
  let skippedBytes = 0;
  for (const { buildId, path } of parseBuildIdList(listed.stdout)) {
    const candidate = await imageFile(options.root, path, options.maxBytes ?? DEFAULT_MAX_BINARY_BYTES);
    if (candidate === undefined) continue;
    if (options.fits && !(await options.fits(candidate.bytes))) {
      skippedBytes += candidate.bytes;
      continue;
    }
    // perf record cached the (possibly stripped) file that ran under this build id; the image's copy replaces it.
    await rm(`${options.buildIdDir}/.build-id/${buildId.slice(0, 2)}/${buildId.slice(2)}`, { force: true });
    if (await addToBuildIdCache(run, options, candidate.path)) added += 1;
  }
  return { added, skippedBytes };
}
