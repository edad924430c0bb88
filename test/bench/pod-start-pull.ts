// bench:pod-start with FURNACE_BENCH_PULL=1: the sidecar image pulled by the kubelet from a private registry
// (../harness/node/node-registry.ts: HTTPS with a CA the node's containerd trusts, basic auth). The sidecar
// image is pushed there under a name of this run and never imported into containerd; before each pulled
// start the bench removes that image from containerd (its tag, digest and ID references, nothing else) and
// has containerd collect what no other image holds, so the kubelet pulls it again. The unpacked layers the
// sidecar shares with the server image (the Node base: the server's pods run on the node) stay, as on a node
// that runs Furnace's server, so only the sidecar's own are unpacked; their compressed blobs are fetched all
// the same (the server image came from an uncompressed archive, so no blob digest matches). The bench prints
// the bytes fetched.
import { performance } from 'node:perf_hooks';
import type { TestContext } from 'node:test';
import { FURNACE_IMAGES } from '../harness/images/furnace-images.ts';
import { PASSWORD, USER } from '../harness/image-registry.ts';
import { ctr } from '../harness/node/containerd.ts';
import { pushToNodeRegistry, startNodeRegistry, type NodeRegistry } from '../harness/node/node-registry.ts';
import type { TestNode } from '../harness/node/use-node.ts';
import { httpsCall } from '../harness/http.ts';

/**
 * The references in `ctr images ls` output that are the image pushed as repo: `repo:tag` and `repo@digest`
 * names, and the `sha256:` ID references the CRI adds that point at the same manifest.
 */
export function pushedImageRefs(listing: string, repo: string): string[] {
  const rows = listing
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((row) => row.length >= 3);
  const named = rows.filter(([ref = '']) => ref.startsWith(`${repo}:`) || ref.startsWith(`${repo}@`));
  const targets = new Set(named.map((row) => row[2]));
  const ids = rows.filter(([ref = '', , target]) => /^sha256:[0-9a-f]{64}$/.test(ref) && targets.has(target));
  return [...named, ...ids].map(([ref = '']) => ref);
}

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 1e-3,
  µs: 1e-3,
  ns: 1e-6,
};

/** Milliseconds of a Go duration as `time.Duration.String()` prints it: `850ms`, `3.127s`, `1m2.5s`. */
export function parseGoDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw Object.assign(new Error(`duration = "${text}": not a Go duration`), { code: 'ERR_GO_DURATION' });
  return parts.reduce((ms, [, value, unit = '']) => ms + Number(value) * (UNIT_MS[unit] ?? NaN), 0);
}

export interface Pulled {
  /** The kubelet's pull time, and with the wait for its turn to pull. */
  ms: number;
  withWaitingMs: number;
  /** The image's size as containerd reports it to the kubelet. */
  bytes: number;
}

/** The kubelet's `Pulled` event message for a pull it made (not "already present"), or undefined. */
export function parsePulledMessage(message: string): Pulled | undefined {
  const m =
    /^Successfully pulled image "[^"]+" in (\S+) \((\S+) including waiting\)\. Image size: (\d+) bytes\.$/.exec(
      message,
    );
  if (!m) return undefined;
  return { ms: parseGoDuration(m[1] ?? ''), withWaitingMs: parseGoDuration(m[2] ?? ''), bytes: Number(m[3]) };
}

export interface PullSetup {
  registry: NodeRegistry;
  /** The sidecar image as the Furnace names it, and its repository (the name without the tag). */
  image: string;
  repo: string;
}

/** The registry, and the sidecar image (built by loadFurnaceImages) pushed to it under this run's tag. */
export async function pushSidecar(
  t: Pick<TestContext, 'after'>,
  node: TestNode,
  dir: string,
): Promise<PullSetup> {
  const registry = await startNodeRegistry(t, node, dir);
  const repo = `${registry.registry}/furnace-bench/sidecar`;
  const image = `${repo}:${Date.now()}`;
  await pushToNodeRegistry(registry, FURNACE_IMAGES.sidecar, image);
  t.after(() => removePushedImage(node, repo));
  return { registry, image, repo };
}

/**
 * The containers in `ctr containers ls` output made from one of refs that have no task in `ctr tasks ls`
 * output: exited containers of deleted pods the kubelet has not collected yet, which hold the image's
 * unpacked layers.
 */
export function exitedContainersOf(containers: string, tasks: string, refs: readonly string[]): string[] {
  const rows = (listing: string) =>
    listing
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((row) => row.length >= 2);
  const running = new Set(rows(tasks).map(([id]) => id));
  return rows(containers)
    .filter(([id = '', image = '']) => refs.includes(image) && !running.has(id))
    .map(([id = '']) => id);
}

/**
 * Removes the pushed image from the node's containerd: the exited containers made from it (so its unpacked
 * layers go too: a pull then unpacks as on a node that never had it), its references, and, with --sync, the
 * content and snapshots no other image holds. Answers the references removed.
 */
export async function removePushedImage(node: TestNode, repo: string): Promise<string[]> {
  const socket = node.containerdSocket;
  const refs = pushedImageRefs(await ctr(socket, ['images', 'ls']), repo);
  if (refs.length === 0) return refs;
  const [containers, tasks] = [await ctr(socket, ['containers', 'ls']), await ctr(socket, ['tasks', 'ls'])];
  // The kubelet's garbage collection may remove one first: that is as good.
  for (const id of exitedContainersOf(containers, tasks, refs))
    await ctr(socket, ['containers', 'delete', id]).catch(() => '');
  await ctr(socket, ['images', 'rm', '--sync', ...refs]);
  return refs;
}

/** Whether the node's containerd holds the pushed image under any of its references. */
export async function pushedImagePresent(node: TestNode, repo: string): Promise<boolean> {
  return pushedImageRefs(await ctr(node.containerdSocket, ['images', 'ls']), repo).length > 0;
}

interface Descriptor {
  digest: string;
  size: number;
}

/** The image's layers in the registry, and the compressed bytes of those containerd does not hold now. */
export async function bytesToFetch(
  node: TestNode,
  setup: PullSetup,
): Promise<{ all: number; fetch: number }> {
  const [, path = '', tag = ''] = /^[^/]+\/(.+):([^:]+)$/.exec(setup.image) ?? [];
  const answer = await httpsCall(
    `https://${setup.registry.registry}/v2/${path}/manifests/${tag}`,
    setup.registry.ca,
    {
      headers: {
        authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`,
        accept:
          'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
      },
    },
  );
  if (answer.status !== 200) throw new Error(`manifest of ${setup.image}: ${answer.status} ${answer.body}`);
  const layers = (JSON.parse(answer.body) as { layers: Descriptor[] }).layers;
  const held = new Set((await ctr(node.containerdSocket, ['content', 'ls', '-q'])).split('\n'));
  const sum = (list: Descriptor[]) => list.reduce((n, l) => n + l.size, 0);
  return { all: sum(layers), fetch: sum(layers.filter((l) => !held.has(l.digest))) };
}

/** The kubelet's pull of image for the pod, from the pod's events (waits for the event to be listed). */
export async function pulledFor(
  node: TestNode,
  namespace: string,
  pod: string,
  image: string,
): Promise<Pulled> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const messages = await node.kubectl([
      'get',
      'events',
      '-n',
      namespace,
      '--field-selector',
      `involvedObject.name=${pod},reason=Pulled`,
      '-o',
      'jsonpath={range .items[*]}{.message}{"\\n"}{end}',
    ]);
    const pulled = messages
      .split('\n')
      .filter((m) => m.includes(`"${image}"`))
      .map(parsePulledMessage)
      .find((p) => p !== undefined);
    if (pulled) return pulled;
    if (performance.now() > deadline)
      throw new Error(`${namespace}/${pod}: no "Successfully pulled" event for ${image}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
