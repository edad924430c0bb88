// What the README walk (readme-walk-simulated.test.ts) does as a person at a terminal does it: kubectl with the
// admin's or a user's kubeconfig, `kubectl furnace` as a real kubectl plugin, the samples under
// deploy/samples, and what stands in for the pieces this machine lacks (the endpoint controller and the
// server's pod: an EndpointSlice pointing at the server process; cluster DNS: a hosts file).
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, DiscoveryV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { SIDECAR_CONTAINER_NAME, TEST_RUN_LABEL } from '../../core/contract/names.ts';
import { RUN_ID } from '../harness/cluster.ts';
import type { ControlPlane } from '../harness/control-plane.ts';
import { eventually } from '../harness/eventually.ts';
import { run } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';

/** The namespace and name of deploy/samples/furnace.yaml, which the kustomize overlay's namespace holds. */
export const FURNACE_NAMESPACE = 'furnace';

/** `kubectl ARGS`; fails the test with kubectl's own words when it exits non-zero. Answers stdout. */
export async function kubectl(
  cp: ControlPlane,
  args: string[],
  options: { input?: string; kubeconfig?: string } = {},
): Promise<string> {
  const result = await cp.kubectl(args, options);
  assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** The one document of `kind` in deploy/samples/<file>, moved to `namespace`. */
export async function sample(file: string, kind: string, namespace?: string) {
  const text = await readFile(join(PROJECT_ROOT, 'deploy/samples', file), 'utf8');
  const found = parseAllDocuments(text)
    .map((d) => d.toJS() as { kind?: string; metadata: Record<string, unknown>; spec: unknown })
    .find((d) => d.kind === kind);
  assert.ok(found, `a ${kind} in deploy/samples/${file}`);
  if (namespace !== undefined) found.metadata.namespace = namespace;
  return found;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `kubectl furnace ARGS` as a user types it: the control plane's kubectl finds the plugin
 * `kubectl-furnace` (a link to cli/bin.js, as `npm install -g` makes it) on PATH, with KUBECONFIG set.
 */
export async function kubectlFurnace(
  cp: Pick<ControlPlane, 'binDir'>,
  dir: string,
  kubeconfig: string,
  args: string[],
): Promise<CommandResult> {
  const plugins = join(dir, 'plugins');
  await mkdir(plugins, { recursive: true });
  await symlink(join(PROJECT_ROOT, 'cli/bin.js'), join(plugins, 'kubectl-furnace')).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    },
  );
  const env = { ...process.env, KUBECONFIG: kubeconfig, PATH: `${plugins}:${process.env.PATH ?? ''}` };
  try {
    const done = await run(join(cp.binDir, 'kubectl'), ['furnace', ...args], {
      cwd: dir,
      env,
      timeout: 120_000,
    });
    return { code: 0, stdout: done.stdout, stderr: done.stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/**
 * An EndpointSlice of a Service at address:port, as the endpoint-slice controller writes one for a ready
 * pod: the aggregator reaches the APIService's Service through it.
 */
export async function pointServiceAt(
  kc: KubeConfig,
  where: { namespace: string; service: string; portName: string; address: string; port: number },
): Promise<void> {
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const name = `${where.service}-local`;
  // Furnace's namespace is the README's fixed one: a walk run before on the same cluster left its slice.
  await discovery
    .deleteNamespacedEndpointSlice({ namespace: where.namespace, name })
    .catch((error: unknown) => {
      if ((error as { code?: number }).code !== 404) throw error;
    });
  await discovery.createNamespacedEndpointSlice({
    namespace: where.namespace,
    body: {
      metadata: {
        name,
        labels: { [TEST_RUN_LABEL]: RUN_ID, 'kubernetes.io/service-name': where.service },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: [where.address], conditions: { ready: true } }],
      ports: [{ name: where.portName, port: where.port, protocol: 'TCP' }],
    },
  });
}

/** The pods a label selector picks, newest first, once there are at least `count` that are not deleted. */
export function podsOf(kc: KubeConfig, namespace: string, selector: string, count = 1): Promise<V1Pod[]> {
  const core = kc.makeApiClient(CoreV1Api);
  return eventually(
    async () => {
      const pods = (await core.listNamespacedPod({ namespace, labelSelector: selector })).items
        .filter((p) => !p.metadata?.deletionTimestamp)
        .sort(
          (a, b) =>
            (b.metadata?.creationTimestamp?.getTime() ?? 0) - (a.metadata?.creationTimestamp?.getTime() ?? 0),
        );
      return pods.length >= count ? pods : undefined;
    },
    60_000,
    `${count} pod(s) ${selector} in ${namespace}`,
  );
}

export function hasSidecar(pod: V1Pod | undefined): boolean {
  return pod?.spec?.containers.some((c) => c.name === SIDECAR_CONTAINER_NAME) ?? false;
}

/** A Deployment whose pods pass Pod Security `restricted` and do not opt in (no `furnace` label). */
export function restrictedDeployment(name: string, namespace: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name,
              image: 'registry.example/api:1',
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}

/** A loopback address of its own for the recorder listener, so it can take the Service's own port. */
export function recorderAddress(): string {
  return `127.3.${1 + Math.floor(Math.random() * 254)}.${1 + Math.floor(Math.random() * 254)}`;
}
