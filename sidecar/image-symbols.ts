// `symbols: image`: pull the target container's image, create (never run) a container from it and mount it,
// so perf script can read unstripped binaries through --symfs. Cleanup unmounts and removes the container.
import { writeFile } from 'node:fs/promises';
import type { SpawnFn } from './perf-runner.ts';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type RunCommand = (
  command: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
) => Promise<CommandResult>;

export interface ImageMountOptions {
  podmanPath: string;
  image: string;
  /** A pull secret (`.dockerconfigjson`), passed as --authfile. */
  pullSecretPath?: string;
  mirrors: Record<string, string[]>;
  insecureRegistries: readonly string[];
  /** Directory for the generated registries.conf. */
  workDir: string;
  /** Name of the created container, unique per recording. */
  containerName: string;
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

/** Pulls, creates and mounts; on any failure what was made so far is removed again. */
export async function mountImage(run: RunCommand, options: ImageMountOptions): Promise<ImageMount> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (Object.keys(options.mirrors).length > 0 || options.insecureRegistries.length > 0) {
    const confPath = `${options.workDir}/registries.conf`;
    await writeFile(confPath, renderRegistriesConf(options.mirrors, options.insecureRegistries));
    env.CONTAINERS_REGISTRIES_CONF = confPath;
  }
  const podman = (args: string[]): Promise<CommandResult> => run(options.podmanPath, args, env);
  const auth = options.pullSecretPath === undefined ? [] : ['--authfile', options.pullSecretPath];

  const pulled = await podman(['pull', '--quiet', ...auth, options.image]);
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

/** A RunCommand on top of a spawn function: collects output, never throws on a non-zero exit. */
export function commandRunner(spawn: SpawnFn): RunCommand {
  return (command, args, env) =>
    new Promise<CommandResult>((resolve) => {
      const child = spawn(command, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(env === undefined ? {} : { env }),
      });
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
