// What the real-pod walks (readme-walk-real.test.ts, faults-real-pods.test.ts) do in a user's namespace: enable
// it for a user, deploy the sample opted-in Deployment with the hot program's image, find its ready pod, and
// reach its containers on the node.
import assert from 'node:assert/strict';
import { eventually } from '../harness/eventually.ts';
import { HOT_APP_IMAGE } from '../harness/node/test-images.ts';
import type { TestNode } from '../harness/node/use-node.ts';
import { sample } from '../kube/readme-walk-fixture.ts';

export interface ContainerStatusJson {
  name: string;
  image: string;
  ready: boolean;
  restartCount: number;
  containerID?: string;
}

export interface PodJson {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec: { containers: { name: string; image: string; env?: { name: string; value?: string }[] }[] };
  status: { podIP?: string; containerStatuses?: ContainerStatusJson[] };
}

/** The one pod a selector picks, once it is the only one not being deleted and every container is ready. */
export function readyPod(node: TestNode, namespace: string, selector: string): Promise<PodJson> {
  return eventually(
    async () => {
      const list = JSON.parse(
        await node.kubectl(['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json']),
      ) as { items: PodJson[] };
      const pods = list.items.filter((p) => !p.metadata.deletionTimestamp);
      const [pod] = pods;
      return pods.length === 1 && pod?.status.containerStatuses?.every((c) => c.ready) ? pod : undefined;
    },
    180_000,
    `one ready pod ${selector} in ${namespace}`,
    1000,
  );
}

/** The pod as the API server has it now. */
export async function podNow(node: TestNode, namespace: string, name: string): Promise<PodJson> {
  return JSON.parse(await node.kubectl(['get', 'pod', '-n', namespace, name, '-o', 'json'])) as PodJson;
}

/** README: label the namespace, a user (service account alice) with furnace-recorder there; alice's token. */
export async function enableNamespace(
  node: TestNode,
  namespace: string,
  labels: Record<string, string> = {},
): Promise<string> {
  await node.kubectl(['create', 'namespace', namespace]);
  const pairs = Object.entries({ furnace: 'enabled', ...labels }).map(([k, v]) => `${k}=${v}`);
  await node.kubectl(['label', 'namespace', namespace, ...pairs]);
  await node.kubectl(['create', 'serviceaccount', 'alice', '-n', namespace]);
  await node.kubectl([
    'create',
    'rolebinding',
    'furnace-recorders',
    '-n',
    namespace,
    '--clusterrole=furnace-recorder',
    `--serviceaccount=${namespace}:alice`,
  ]);
  return (await node.kubectl(['create', 'token', 'alice', '-n', namespace, '--duration=2h'])).trim();
}

/** The sample opted-in Deployment `web` (deploy/samples/namespace-opt-in.yaml), running the hot program's image. */
export async function webDeployment(namespace: string) {
  const deployment = await sample('namespace-opt-in.yaml', 'Deployment', namespace);
  const spec = deployment.spec as {
    template: { spec: { containers: { name: string; image: string; resources?: unknown }[] } };
  };
  const [web] = spec.template.spec.containers;
  assert.ok(web);
  web.image = HOT_APP_IMAGE;
  web.resources = { requests: { cpu: '10m' } };
  return deployment;
}

/** SIGKILL to a container's first process, from the node: as the OOM killer or a crash ends it. */
export async function killContainer(node: TestNode, pod: PodJson, container: string): Promise<void> {
  const id = pod.status.containerStatuses
    ?.find((c) => c.name === container)
    ?.containerID?.replace('containerd://', '');
  assert.ok(id, `container ${container} of ${pod.metadata.name} has an ID`);
  process.kill(await node.containerPid(id), 'SIGKILL');
}
