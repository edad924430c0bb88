// The README's "Install on a cluster" on the real node (readme-walk-real.test.ts), as a user with a private
// registry-less cluster does it: the project's two images built from their Dockerfiles and moved into the
// node's containerd; `kubectl apply -k` of an overlay of the user's own that renames the release's operator
// image to the local one (kustomize `images:`) and lets the Furnace pick its images
// (FURNACE_OPERATOR_ALLOW_IMAGE_OVERRIDES=true, the documented switch); the sample Furnace with
// `spec.images` naming the local server and sidecar images; `kubectl port-forward` to the UI's Service.
import assert from 'node:assert/strict';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { checkServerIdentity } from 'node:tls';
import { request } from 'node:https';
import type { TestContext } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { FURNACE_IMAGES, type ImageName } from '../harness/images/furnace-images.ts';
import { eventually } from '../harness/eventually.ts';
import { run, startProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import type { TestNode } from '../harness/node/use-node.ts';

export const NS = 'furnace';
/** The name in the certificate the operator issues for the user Service. */
export const SERVICE_HOST = 'furnace-api.furnace.svc';
const RELEASE_OPERATOR_IMAGE = 'quay.io/hyperfoil/furnace-server';
/** Dockerfile.server's USER. */
const SERVER_IMAGE_USER = 65532;

/**
 * Into the node the images named (both unless a test pulls the sidecar image from a registry instead), each
 * unless the node already holds that very image (the run's shared node after an earlier file's import). The
 * archives are the run's (test/run.sh exports FURNACE_TEST_IMAGE_ARCHIVES after joining the images build), or
 * build-images.sh's now (cached layers make it seconds when nothing changed).
 */
export async function loadFurnaceImages(
  node: TestNode,
  dir: string,
  into: readonly ImageName[] = ['server', 'sidecar'],
): Promise<void> {
  let archives = process.env.FURNACE_TEST_IMAGE_ARCHIVES;
  if (!archives) {
    archives = join(dir, 'images');
    const { stdout } = await run(
      'bash',
      [join(PROJECT_ROOT, 'test/harness/images/build-images.sh'), '--save', archives, 'server', 'sidecar'],
      { cwd: PROJECT_ROOT, maxBuffer: 16 * 1024 ** 2 },
    );
    assert.equal(stdout.split('\n').filter((line) => line.endsWith('.tar')).length, 2, stdout);
  }
  for (const name of into) {
    const id = (await readFile(join(archives, `${name}.id`), 'utf8')).trim();
    if (await node.holdsImage(FURNACE_IMAGES[name], id)) continue;
    await node.importImage(join(archives, `${name}.tar`));
    assert.ok(
      await node.holdsImage(FURNACE_IMAGES[name], id),
      `${FURNACE_IMAGES[name]} (${id}) in the node after its import`,
    );
  }
}

/** The user's overlay: the release's overlay with the operator image renamed and image overrides allowed. */
export async function writeLocalOverlay(dir: string): Promise<string> {
  const overlay = join(dir, 'overlay');
  await mkdir(overlay, { recursive: true });
  const [name, tag] = FURNACE_IMAGES.server.split(':');
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [relative(overlay, join(PROJECT_ROOT, 'deploy/overlays/kubernetes'))],
    images: [{ name: RELEASE_OPERATOR_IMAGE, newName: name, newTag: tag }],
    patches: [
      {
        target: { kind: 'Deployment', name: 'furnace-operator' },
        patch: JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'furnace-operator', namespace: NS },
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: 'operator',
                    env: [{ name: 'FURNACE_OPERATOR_ALLOW_IMAGE_OVERRIDES', value: 'true' }],
                  },
                ],
              },
            },
          },
        }),
      },
    ],
  };
  await writeFile(join(overlay, 'kustomization.yaml'), JSON.stringify(kustomization, null, 2));
  return overlay;
}

/** deploy/samples/furnace.yaml with `spec.images` naming the images this machine built. */
export async function furnaceWithLocalImages(extraSpec: Record<string, unknown> = {}) {
  const sample = parse(await readFile(join(PROJECT_ROOT, 'deploy/samples/furnace.yaml'), 'utf8')) as {
    spec: Record<string, unknown>;
  };
  sample.spec = {
    ...sample.spec,
    images: { server: FURNACE_IMAGES.server, sidecar: FURNACE_IMAGES.sidecar, agent: FURNACE_IMAGES.sidecar },
    ...extraSpec,
  };
  return sample;
}

/**
 * The PersistentVolume the catalog's claim binds to: this node has no dynamic provisioner, so a directory of
 * the node, as an administrator of such a cluster provides one (static provisioning). It is owned by the
 * server image's user. Under the node's directory, which the node's teardown removes.
 */
export async function catalogVolume(node: TestNode): Promise<string> {
  const name = `furnace-catalog-${node.id}`;
  const path = join(node.dir, 'volumes', name);
  await mkdir(path, { recursive: true });
  await chown(path, SERVER_IMAGE_USER, SERVER_IMAGE_USER);
  await node.kubectl(['delete', 'persistentvolume', name, '--ignore-not-found', '--wait=true']);
  const volume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      capacity: { storage: '10Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      hostPath: { path, type: 'Directory' },
    },
  };
  await node.kubectl(['apply', '-f', '-'], JSON.stringify(volume));
  return name;
}

/**
 * README: kubectl apply -k, the CRDs Established, the operator's pod Ready, the Furnace Ready; `spec` replaces
 * fields of the sample Furnace's spec (e.g. `images` naming a registry's sidecar image).
 */
export async function install(
  node: TestNode,
  dir: string,
  spec: Record<string, unknown> = {},
): Promise<void> {
  await catalogVolume(node);
  const overlay = await writeLocalOverlay(dir);
  await node.kubectl(['apply', '-k', overlay]);
  await node.kubectl(['wait', '--for=condition=Established', 'crd/furnaces.furnace.hyperfoil.io']);
  await node.kubectl(['rollout', 'status', '-n', NS, 'deployment/furnace-operator', '--timeout=180s']);
  const image = await node.kubectl([
    'get',
    'pods',
    '-n',
    NS,
    '-l',
    'app.kubernetes.io/component=operator',
    '-o',
    'jsonpath={.items[*].status.containerStatuses[*].image}',
  ]);
  assert.match(image, /localhost\/furnace\/server:test/, 'the operator runs from the server image');
  await node.kubectl(['apply', '-f', '-'], JSON.stringify(await furnaceWithLocalImages(spec)));
  await node.kubectl(['wait', '--for=condition=Ready', '-n', NS, 'furnace/furnace', '--timeout=240s']);
  await node.kubectl(['rollout', 'status', '-n', NS, 'deployment/furnace', '--timeout=120s']);
  await node.kubectl([
    'wait',
    '--for=condition=Available',
    '--timeout=90s',
    'apiservice/v1alpha1.profiling.furnace.hyperfoil.io',
  ]);
}

/** The CA that signs the server's certificate: the injection config's, which the sidecars trust. */
export async function serverCa(node: TestNode): Promise<string> {
  const injection = await node.kubectl([
    'get',
    'configmap',
    'furnace-config',
    '-n',
    NS,
    '-o',
    'jsonpath={.data.injection\\.yaml}',
  ]);
  return (parse(injection) as { serverCa: string }).serverCa;
}

/** README: `kubectl port-forward -n furnace svc/furnace-api 8080`, on a free local port; its base URL. */
export async function portForward(t: Pick<TestContext, 'after'>, node: TestNode): Promise<string> {
  const forward = startProcess(t, join(node.binDir, 'kubectl'), [
    `--kubeconfig=${node.kubeconfigPath}`,
    'port-forward',
    '-n',
    NS,
    'svc/furnace-api',
    ':8080',
  ]);
  const port: string = await eventually(
    () => Promise.resolve(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(forward.output())?.[1]),
    30_000,
    'kubectl port-forward to listen',
  );
  return `https://localhost:${port}`;
}

export interface ServerLink {
  base: string;
  ca: string;
}

/** An HTTPS call to the server through the port-forward, checking its certificate for the Service's name. */
export function callServer(
  link: ServerLink,
  path: string,
  token: string,
  options: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const req = request(
      `${link.base}${path}`,
      {
        method: options.method ?? 'GET',
        ca: link.ca,
        headers,
        checkServerIdentity: (_host, cert) => checkServerIdentity(SERVICE_HOST, cert),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

export interface RegisteredPod {
  namespace: string;
  pod: string;
  mode: string;
  registeredAt: string;
}

/** Until the server lists the pod as registered in that mode; answers the entry. */
export function registered(link: ServerLink, token: string, namespace: string, pod: string, mode: string) {
  return eventually(
    async () => {
      const answer = await callServer(link, '/api/v1/sidecars', token);
      const items = (JSON.parse(answer.body) as { items?: RegisteredPod[] }).items;
      return items?.find((i) => i.namespace === namespace && i.pod === pod && i.mode === mode);
    },
    120_000,
    `${namespace}/${pod} registered (${mode})`,
    500,
  );
}

/** A kubeconfig of the node's cluster for the bearer of token (mode 0600), as kubectl and its plugins read one. */
export async function userKubeconfig(node: TestNode, path: string, token: string): Promise<string> {
  const admin = node.kubeConfig();
  const cluster = admin.getCurrentCluster();
  assert.ok(cluster, 'the admin kubeconfig names a cluster');
  const user = new KubeConfig();
  user.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'user', token }],
    contexts: [{ name: 'user', cluster: cluster.name, user: 'user' }],
    currentContext: 'user',
  });
  await writeFile(path, user.exportConfig(), { mode: 0o600 });
  return path;
}

/**
 * README "Uninstall": `kubectl delete furnaces --all -A --wait` (the operator removes what it made), then
 * `kubectl delete -k` of the overlay, and the catalog's volume. Also after a failure, so a shared node is left
 * as it was found.
 */
export async function uninstall(node: TestNode, dir: string): Promise<void> {
  await node.kubectl(['delete', 'furnaces', '--all', '-A', '--wait=true', '--timeout=120s']);
  await node.kubectl([
    'delete',
    '-k',
    join(dir, 'overlay'),
    '--ignore-not-found',
    '--wait=true',
    '--timeout=120s',
  ]);
  await node.kubectl(['delete', 'persistentvolume', `furnace-catalog-${node.id}`, '--ignore-not-found']);
}
