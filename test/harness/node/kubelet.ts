// The node's kubelet: its own root directory, ports, certificates from the control plane's CA, and the
// settings this machine needs (cgroup v1 with the cgroupfs driver, no CAP_SYS_RESOURCE, no systemd).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubeconfigYaml, type ControlPlaneState } from '../control-plane.ts';
import { issueCertificate, readPem } from '../pki.ts';
import { freePort } from '../ports.ts';
import { startDetached } from '../processes.ts';
import type { ProcessIdentity } from '../process-identity.ts';
import { CLUSTER_DNS_IP, CLUSTER_DOMAIN, type NodePaths, type NodeState } from './node-layout.ts';

/** A kubeconfig for a client certificate the control plane's CA issues (the kubelet, scheduler, proxy). */
export async function componentKubeconfig(
  cp: ControlPlaneState,
  paths: NodePaths,
  name: string,
  subject: string,
): Promise<string> {
  await mkdir(paths.pki, { recursive: true });
  const cert = await issueCertificate(paths.pki, { certPath: cp.caPath, keyPath: cp.caKeyPath }, name, {
    subject,
    clientAuth: true,
  });
  const path = join(paths.pki, `${name}.kubeconfig`);
  const [ca, crt, key] = await Promise.all([
    readPem(cp.caPath),
    readPem(cert.certPath),
    readPem(cert.keyPath),
  ]);
  await writeFile(path, kubeconfigYaml(cp.url, ca, crt, key), { mode: 0o600 });
  return path;
}

/**
 * - failCgroupV1: false — the machine has cgroup v1 controllers (a hybrid layout) and 1.36 refuses v1 otherwise.
 * - oomScoreAdj: 0 — the default (-999) needs CAP_SYS_RESOURCE.
 * - cgroupRoot: below a cgroup of the node's own, so its kubepods tree is removed with it.
 * - eviction and image GC thresholds out of reach: the disk is shared with other builds, and an evicted pod
 *   or a collected image would fail a test for a reason that is not its own.
 * - resolvConf: an empty file; the node has no upstream resolver to lend pods.
 */
function kubeletConfig(
  state: NodeState,
  paths: NodePaths,
  ports: { port: number; healthz: number },
  tls: { cert: string; key: string },
  caPath: string,
): string {
  const config = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: state.nodeIp,
    port: ports.port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: ports.healthz,
    tlsCertFile: tls.cert,
    tlsPrivateKeyFile: tls.key,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: caPath },
    },
    authorization: { mode: 'Webhook' },
    cgroupDriver: 'cgroupfs',
    cgroupRoot: state.cgroupRoot,
    failCgroupV1: false,
    oomScoreAdj: 0,
    containerRuntimeEndpoint: `unix://${state.containerdSocket}`,
    clusterDNS: [CLUSTER_DNS_IP],
    clusterDomain: CLUSTER_DOMAIN,
    resolvConf: join(state.dir, 'resolv.conf'),
    podLogsDir: paths.podLogs,
    failSwapOn: false,
    evictionHard: {
      'memory.available': '1Mi',
      'nodefs.available': '1%',
      'imagefs.available': '1%',
      'nodefs.inodesFree': '1%',
    },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    maxPods: 40,
    rotateCertificates: false,
    serverTLSBootstrap: false,
    registerNode: true,
    syncFrequency: '10s',
    nodeStatusReportFrequency: '10s',
  };
  return JSON.stringify(config, null, 2);
}

export async function startKubelet(
  state: NodeState,
  paths: NodePaths,
  cp: ControlPlaneState,
): Promise<ProcessIdentity> {
  await mkdir(paths.kubeletRoot, { recursive: true });
  await mkdir(paths.podLogs, { recursive: true });
  await writeFile(join(state.dir, 'resolv.conf'), '');
  const kubeconfig = await componentKubeconfig(
    cp,
    paths,
    'kubelet',
    `/O=system:nodes/CN=system:node:${state.nodeName}`,
  );
  const serving = await issueCertificate(
    paths.pki,
    { certPath: cp.caPath, keyPath: cp.caKeyPath },
    'kubelet-serving',
    {
      subject: `/CN=${state.nodeName}`,
      altNames: { dns: [state.nodeName], ip: [state.nodeIp] },
    },
  );
  const configPath = join(state.dir, 'kubelet-config.json');
  const ports = { port: await freePort(), healthz: await freePort() };
  await writeFile(
    configPath,
    kubeletConfig(state, paths, ports, { cert: serving.certPath, key: serving.keyPath }, cp.caPath),
  );
  const { pid, startTime } = startDetached(
    join(state.binDir, 'kubelet'),
    [
      `--config=${configPath}`,
      `--kubeconfig=${kubeconfig}`,
      `--root-dir=${paths.kubeletRoot}`,
      `--hostname-override=${state.nodeName}`,
      `--node-ip=${state.nodeIp}`,
      '--v=1',
    ],
    join(state.dir, 'kubelet.log'),
  );
  return { pid, startTime };
}
