// Small images for the test node, `FROM scratch` with files from this machine (a static program, or a
// dynamic one with the libraries ldd names), built with the harness's podman and moved into the node's
// containerd with `podman save` → `ctr images import` (there is no registry to pull from).
import { copyFile, mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { run } from '../processes.ts';

const PODMAN = join(import.meta.dirname, '..', 'podman', 'podman.sh');

export interface ScratchImage {
  /** The image's full name, `localhost/...:tag`. */
  name: string;
  /** Path in the image → file on this machine. */
  files: Record<string, string>;
  entrypoint: string[];
}

/** Builds the image with podman (in the harness's own storage) and writes it as a docker archive. */
export async function buildScratchImage(image: ScratchImage, workDir: string): Promise<string> {
  const context = join(workDir, image.name.replace(/[^a-z0-9]+/g, '-'));
  await rm(context, { recursive: true, force: true });
  for (const [inImage, onHost] of Object.entries(image.files)) {
    const target = join(context, 'rootfs', inImage);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(onHost, target);
  }
  await writeFile(
    join(context, 'Containerfile'),
    `FROM scratch\nCOPY rootfs/ /\nENTRYPOINT ${JSON.stringify(image.entrypoint)}\n`,
  );
  await podman([
    'build',
    '--quiet',
    '--network=none',
    '-t',
    image.name,
    '-f',
    join(context, 'Containerfile'),
    context,
  ]);
  const archive = join(context, 'image.tar');
  await podman(['save', '--format', 'docker-archive', '-o', archive, image.name]);
  return archive;
}

async function podman(args: string[]): Promise<string> {
  try {
    return (await run('bash', [PODMAN, ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`podman ${args[0]} failed: ${stderr.trim().slice(-2000)}`);
  }
}

/** Moves an image archive (docker or OCI) into the node's containerd, where the kubelet finds it. */
export async function importImage(ctrAddress: string, archive: string): Promise<void> {
  try {
    await run('ctr', ['--address', ctrAddress, '-n', 'k8s.io', 'images', 'import', archive]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`ctr images import ${archive} failed: ${stderr.trim()}`);
  }
}

/**
 * Whether containerd holds `ref` as the image `id` (a podman image id, with or without `sha256:`). An import of
 * a docker-archive names the image by its tag and by `sha256:<id>`; both names point at one manifest when the
 * tag is that image.
 */
export async function holdsImage(ctrAddress: string, ref: string, id: string): Promise<boolean> {
  const { stdout } = await run('ctr', ['--address', ctrAddress, '-n', 'k8s.io', 'images', 'ls']);
  const manifests = new Map<string, string>();
  for (const line of stdout.split('\n').slice(1)) {
    const [name, , digest] = line.split(/\s+/);
    if (name && digest) manifests.set(name, digest);
  }
  const byId = manifests.get(id.startsWith('sha256:') ? id : `sha256:${id}`);
  return byId !== undefined && manifests.get(ref) === byId;
}

/**
 * A dynamically linked program of this machine with every library ldd names (and the loader), keyed by
 * their paths, for a scratch image that runs it: e.g. perf for a profiling pod.
 */
export async function hostProgramFiles(program: string): Promise<Record<string, string>> {
  const real = await realpath(program);
  const files: Record<string, string> = { [real]: real };
  const { stdout } = await run('ldd', [real]);
  for (const line of stdout.split('\n')) {
    const path = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1];
    if (path) {
      files[path] = await realpath(path);
    }
  }
  return files;
}
