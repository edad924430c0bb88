// `npm run bench:images`: what Dockerfile.server and Dockerfile.sidecar add over their base
// (docker.io/library/node:24-bookworm-slim; here the stand-in of test/harness/images/build-base.sh), against
// the goals: the sidecar at most 280 MB, the server at most 40 MB. Builds both images first (cached layers
// make that quick), then reads each image's layers as `podman save --format oci-dir` writes them: the layers
// the base does not have, each with its size, the instruction that made it and its largest files.
// Sizes are the layers' uncompressed tar bytes in MB (10^6), as podman prints them. Exits 1 when a goal is missed.
// Baseline, same run: Dockerfile.sidecar as it was at FURNACE_BENCH_IMAGES_BASELINE (a git ref; default
// 02ba568, before the sidecar was bundled and pruned), built from the same context and base.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from '../harness/child-processes.ts';
import { buildImages, FURNACE_IMAGES, PODMAN_SH, type ImageName } from '../harness/images/furnace-images.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { machine, utcNow } from './machine.ts';

const BASE = 'docker.io/library/node:24-bookworm-slim';
const GOALS_MB: Readonly<Record<ImageName, number>> = { sidecar: 280, server: 40 };
const MB = 1e6;
const FILES_SHOWN = 6;

interface Layer {
  bytes: number;
  instruction: string;
  largest: { path: string; bytes: number }[];
}

function podman(args: string[]): string {
  return execFileSync('bash', [PODMAN_SH, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 ** 2 });
}

function diffIds(image: string): string[] {
  return JSON.parse(podman(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', image])) as string[];
}

function blobPath(dir: string, digest: string): string {
  const [algorithm = '', hex = ''] = digest.split(':');
  return join(dir, 'blobs', algorithm, hex);
}

/** The biggest regular files of a layer's tar, from `tar -tv` (size is its third column). */
function largestFiles(tarPath: string): { path: string; bytes: number }[] {
  const listing = execFileSync('tar', ['-tvf', tarPath], { encoding: 'utf8', maxBuffer: 256 * 1024 ** 2 });
  return listing
    .split('\n')
    .filter((line) => line.startsWith('-'))
    .map((line) => {
      const fields = line.split(/\s+/);
      return { bytes: Number(fields[2]), path: `/${fields.slice(5).join(' ').replace(/^\.\//, '')}` };
    })
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, FILES_SHOWN);
}

/** The layers of `image` that `base` does not have, oldest first. */
async function addedLayers(image: string, base: string): Promise<Layer[]> {
  const baseIds = new Set(diffIds(base));
  const dir = await mkdtemp(join(tmpdir(), 'furnace-bench-images-'));
  try {
    podman(['save', '--quiet', '--uncompressed', '--format', 'oci-dir', '-o', join(dir, 'image'), image]);
    const root = join(dir, 'image');
    const index = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    const manifest = JSON.parse(readFileSync(blobPath(root, index.manifests[0]?.digest ?? ''), 'utf8')) as {
      config: { digest: string };
      layers: { digest: string; size: number }[];
    };
    const config = JSON.parse(readFileSync(blobPath(root, manifest.config.digest), 'utf8')) as {
      rootfs: { diff_ids: string[] };
      history: { created_by?: string; empty_layer?: boolean }[];
    };
    const instructions = config.history.filter((h) => h.empty_layer !== true).map((h) => h.created_by ?? '');
    return manifest.layers
      .map((layer, i) => ({ layer, id: config.rootfs.diff_ids[i] ?? '', instruction: instructions[i] ?? '' }))
      .filter(({ id }) => !baseIds.has(id))
      .map(({ layer, instruction }) => ({
        bytes: layer.size,
        instruction: instruction
          .replace(/^\/bin\/sh -c (#\(nop\) )?/, '')
          .replace(/\s+/g, ' ')
          .trim(),
        largest: largestFiles(blobPath(root, layer.digest)),
      }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The sidecar image from Dockerfile.sidecar as it was at `ref`, tagged localhost/furnace/sidecar-<ref>:test. */
async function buildBaseline(ref: string): Promise<string> {
  const dockerfile = execFileSync('git', ['show', `${ref}:Dockerfile.sidecar`], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  const dir = await mkdtemp(join(tmpdir(), 'furnace-bench-baseline-'));
  const tag = `localhost/furnace/sidecar-${ref}:test`;
  try {
    await writeFile(join(dir, 'Dockerfile'), dockerfile);
    podman([
      'build',
      '--quiet',
      '--network=host',
      '--pull=never',
      '-f',
      join(dir, 'Dockerfile'),
      '-t',
      tag,
      PROJECT_ROOT,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return tag;
}

const mb = (bytes: number): string => (bytes / MB).toFixed(1);
const short = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

const names: ImageName[] = ['server', 'sidecar'];
const baselineRef = process.env.FURNACE_BENCH_IMAGES_BASELINE ?? '02ba568';
await buildImages(names);
const baseline = await buildBaseline(baselineRef);
const baseBytes = Number(podman(['image', 'inspect', '--format', '{{.Size}}', BASE]).trim());
process.stdout.write(`bench:images, ${utcNow()}, ${machine()}\n`);
process.stdout.write(`base ${BASE}: ${mb(baseBytes)} MB\n`);
let missed = 0;
const baselineAdded = (await addedLayers(baseline, BASE)).reduce((sum, layer) => sum + layer.bytes, 0);
for (const name of names) {
  const layers = await addedLayers(FURNACE_IMAGES[name], BASE);
  const added = layers.reduce((sum, layer) => sum + layer.bytes, 0);
  const goal = GOALS_MB[name];
  const met = added <= goal * MB;
  if (!met) missed += 1;
  process.stdout.write(
    `\n${FURNACE_IMAGES[name]} (Dockerfile.${name}): adds ${mb(added)} MB over its base ` +
      `(goal ≤ ${goal} MB: ${met ? 'met' : 'MISSED'}); image ${mb(baseBytes + added)} MB\n`,
  );
  if (name === 'sidecar')
    process.stdout.write(
      `  baseline, same run: Dockerfile.sidecar at ${baselineRef} adds ${mb(baselineAdded)} MB; ` +
        `this one ${(added / baselineAdded).toFixed(2)}× of it\n`,
    );
  for (const layer of layers) {
    process.stdout.write(`  ${mb(layer.bytes).padStart(7)} MB  ${short(layer.instruction, 110)}\n`);
    for (const file of layer.largest.filter((f) => f.bytes >= 0.1 * MB))
      process.stdout.write(`  ${''.padStart(10)}  ${mb(file.bytes).padStart(6)} MB ${file.path}\n`);
  }
}
process.exitCode = missed > 0 ? 1 : 0;
