// A private registry the test node's containerd pulls from, set up as a production node trusts a company's
// registry: HTTPS with a certificate from a CA of its own, that CA given to containerd in the node's hosts
// directory (containerd 1.6 CRI `config_path`: `<host:port>/hosts.toml` naming `ca.crt`), and basic auth,
// so the kubelet pulls with a pull secret. Plain HTTP would need the registry declared insecure on the node,
// which a production node does not do. The registry is Debian's docker-registry on the node's bridge
// address (../image-registry.ts; pods reach only the node). Its hosts entry is removed after the test; the
// node's teardown removes the hosts directory with the rest of the node's directory.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { dockerConfigJson, PASSWORD, startRegistry, USER } from '../image-registry.ts';
import { podman } from '../images/furnace-images.ts';
import { createCa, issueCertificate, readPem } from '../pki.ts';
import { nodePaths } from './node-layout.ts';
import type { TestNode } from './use-node.ts';

/** containerd's hosts.toml for a registry served over HTTPS at `host:port`, trusting the CA at caPath. */
export function renderHostsToml(registry: string, caPath: string): string {
  if (!/^[A-Za-z0-9.-]+:\d+$/.test(registry))
    throw Object.assign(new Error(`registry = "${registry}": expected host:port`), {
      code: 'ERR_REGISTRY_NAME',
    });
  const url = `https://${registry}`;
  return [
    `server = ${JSON.stringify(url)}`,
    '',
    `[host.${JSON.stringify(url)}]`,
    '  capabilities = ["pull", "resolve"]',
    `  ca = ${JSON.stringify(caPath)}`,
    '',
  ].join('\n');
}

export interface NodeRegistry {
  /** `host:port`, as image references name it. */
  registry: string;
  /** PEM of the CA that signed the registry's certificate. */
  ca: string;
  /** A directory with the CA as `ca.crt`, for `podman push --cert-dir`. */
  certDir: string;
}

/** Starts the registry on the node's address, trusted by the node's containerd until the test ends. */
export async function startNodeRegistry(
  t: Pick<TestContext, 'after'>,
  node: TestNode,
  dir: string,
): Promise<NodeRegistry> {
  const pki = join(dir, 'registry-pki');
  const certDir = join(dir, 'registry-certs');
  await mkdir(pki, { recursive: true });
  await mkdir(certDir, { recursive: true });
  const ca = await createCa(pki, 'registry-ca', '/CN=furnace-test-registry-ca');
  const leaf = await issueCertificate(pki, ca, 'registry', {
    subject: `/CN=${node.nodeIp}`,
    altNames: { ip: [node.nodeIp] },
  });
  const caPem = await readPem(ca.certPath);
  await writeFile(join(certDir, 'ca.crt'), caPem);
  const registry = await startRegistry(t, dir, node.nodeIp, { ...leaf, ca: caPem });
  const hostDir = join(nodePaths(node.dir).containerdHosts, registry);
  await mkdir(hostDir, { recursive: true });
  t.after(() => rm(hostDir, { recursive: true, force: true }));
  await writeFile(join(hostDir, 'ca.crt'), caPem);
  await writeFile(join(hostDir, 'hosts.toml'), renderHostsToml(registry, join(hostDir, 'ca.crt')));
  return { registry, ca: caPem, certDir };
}

/** Pushes a local image of the harness's podman to `target` in the registry, keeping no extra local name. */
export async function pushToNodeRegistry(registry: NodeRegistry, local: string, target: string) {
  await podman(['tag', local, target]);
  try {
    await podman([
      'push',
      '--quiet',
      '--cert-dir',
      registry.certDir,
      '--creds',
      `${USER}:${PASSWORD}`,
      target,
    ]);
  } finally {
    await podman(['rmi', target]);
  }
}

/** A `kubernetes.io/dockerconfigjson` Secret for the registry, as a user creates one for their pods. */
export function pullSecret(registry: NodeRegistry, namespace: string, name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/dockerconfigjson',
    metadata: { name, namespace },
    data: { '.dockerconfigjson': Buffer.from(dockerConfigJson(registry.registry)).toString('base64') },
  };
}
