// A real etcd, kube-apiserver and kube-controller-manager on loopback for the kube tier, shared by every
// test file of a run. The API server has the aggregation layer's request-header flags, so an aggregated
// API (an APIService) can believe the identity the API server forwards.
//
// test/run.sh starts one with control-plane-cli.ts and exports FURNACE_TEST_CONTROL_PLANE; a test file
// run on its own starts a private one that stops when the file's process exits.
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { execFile, execFileSync } from './child-processes.ts';
import { createCa, createSigningKey, issueCertificate, readPem } from './pki.ts';
import { eventually } from './eventually.ts';
import { freePort } from './ports.ts';
import { refuseBeforeCluster } from './before-cluster.ts';
import { startDetached, stopPid } from './processes.ts';
import { isSameProcess, recordedIdentity, type ProcessIdentity } from './process-identity.ts';

export interface ControlPlaneState {
  dir: string;
  binDir: string;
  url: string;
  kubeconfigPath: string;
  caPath: string;
  /** CA of the front-proxy client certificate the API server presents to aggregated APIs. */
  frontProxyCaPath: string;
  etcdPid: number;
  /** etcd's client URL (plain HTTP on loopback; its JSON gateway answers under /v3/). */
  etcdUrl: string;
  apiserverPid: number;
  controllerManagerPid: number;
  /**
   * Each component's start time (field 22 of /proc/PID/stat) beside its PID, so that a PID reused by
   * another process is never stopped; 0 for one not started.
   */
  startTimes: { etcd: number; apiserver: number; controllerManager: number };
  /** The CA's key, for the node's client and serving certificates. */
  caKeyPath: string;
  /** The Service range; the `kubernetes` Service has its first address. */
  serviceCidr: string;
  /** Set for a control plane of a real node (see ControlPlaneOptions). */
  nodeAddress?: string;
}

/**
 * A control plane for a real node (test/harness/node/) has `nodeAddress`: the API server listens on every
 * address and advertises that one (pods reach it there through the `kubernetes` Service), and the controller
 * manager runs NODE_CONTROLLERS. Without it: loopback only and TEST_CONTROLLERS, for the simulated pods.
 */
export interface ControlPlaneOptions {
  nodeAddress?: string;
}

export const SERVICE_CIDR = '10.0.0.0/24';

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface ControlPlane extends ControlPlaneState {
  caPem: string;
  /** A KubeConfig for the cluster admin (system:masters). */
  kubeConfig(): KubeConfig;
  /** Runs the kubectl built with the control plane against it. */
  kubectl(args: string[], options?: { input?: string; kubeconfig?: string }): Promise<KubectlResult>;
}

function binDirFromEnv(): string {
  refuseBeforeCluster('the control plane');
  const fromEnv = process.env.FURNACE_TEST_BIN_DIR;
  if (fromEnv) return fromEnv;
  const script = join(import.meta.dirname, 'build-control-plane.sh');
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').at(-1) ?? '';
}

export function kubeconfigYaml(url: string, caPem: string, certPem: string, keyPem: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: furnace-test',
    '  cluster:',
    `    server: ${url}`,
    `    certificate-authority-data: ${b64(caPem)}`,
    'users:',
    '- name: admin',
    '  user:',
    `    client-certificate-data: ${b64(certPem)}`,
    `    client-key-data: ${b64(keyPem)}`,
    'contexts:',
    '- name: admin',
    '  context: { cluster: furnace-test, user: admin }',
    'current-context: admin',
    '',
  ].join('\n');
}

async function getStatus(url: string, ca: string, cert: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, cert, key, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function waitForEtcd(port: number, logPath: string): Promise<void> {
  await eventually(
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      const body = (await res.json()) as { health?: string };
      return body.health === 'true' ? true : undefined;
    },
    30_000,
    `etcd on port ${port} (log: ${logPath})`,
  );
}

/**
 * The API server's audit log of the control plane in `dir`: every SubjectAccessReview, with its request
 * (whose access was asked, and by whom), one JSON event per line. Nothing else is audited.
 */
export function auditLogPath(dir: string): string {
  return join(dir, 'audit.log');
}

const AUDIT_POLICY = [
  'apiVersion: audit.k8s.io/v1',
  'kind: Policy',
  'omitStages: [RequestReceived]',
  'rules:',
  '  - level: Request',
  '    resources: [{ group: authorization.k8s.io, resources: [subjectaccessreviews] }]',
  '  - level: None',
  '',
].join('\n');

/** Starts etcd and kube-apiserver in dir and waits until the API server is ready. */
export async function startControlPlane(
  dir: string,
  binDir: string,
  options: ControlPlaneOptions = {},
): Promise<ControlPlaneState> {
  const node = options.nodeAddress;
  const pki = join(dir, 'pki');
  await execFileAsync('mkdir', ['-p', pki, join(dir, 'etcd')]);
  const ca = await createCa(pki, 'ca', '/CN=furnace-test-ca');
  const serving = await issueCertificate(pki, ca, 'apiserver', {
    subject: '/CN=kube-apiserver',
    altNames: {
      dns: ['localhost', 'kubernetes', 'kubernetes.default.svc'],
      ip: ['127.0.0.1', '10.0.0.1', ...(node ? [node] : [])],
    },
  });
  // What the API server presents to kubelets (logs, exec, port-forward); the kubelet authorizes it by RBAC.
  const kubeletClient = await issueCertificate(pki, ca, 'apiserver-kubelet-client', {
    subject: '/O=system:masters/CN=kube-apiserver-kubelet-client',
    clientAuth: true,
  });
  const admin = await issueCertificate(pki, ca, 'admin', {
    subject: '/O=system:masters/CN=furnace-admin',
    clientAuth: true,
  });
  const sa = await createSigningKey(pki, 'sa');
  const frontProxyCa = await createCa(pki, 'front-proxy-ca', '/CN=furnace-test-front-proxy-ca');
  const frontProxyClient = await issueCertificate(pki, frontProxyCa, 'front-proxy-client', {
    subject: '/CN=front-proxy-client',
    clientAuth: true,
  });
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];

  const etcdLog = join(dir, 'etcd.log');
  const etcd = startDetached(
    join(binDir, 'etcd'),
    [
      '--name=furnace-test',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=furnace-test=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    etcdLog,
  );
  const state: ControlPlaneState = {
    dir,
    binDir,
    url: `https://127.0.0.1:${apiPort}`,
    kubeconfigPath: join(dir, 'kubeconfig'),
    caPath: ca.certPath,
    frontProxyCaPath: frontProxyCa.certPath,
    etcdPid: etcd.pid,
    etcdUrl: `http://127.0.0.1:${etcdPort}`,
    apiserverPid: 0,
    controllerManagerPid: 0,
    startTimes: { etcd: etcd.startTime, apiserver: 0, controllerManager: 0 },
    caKeyPath: ca.keyPath,
    serviceCidr: SERVICE_CIDR,
    ...(node ? { nodeAddress: node } : {}),
  };
  try {
    await waitForEtcd(etcdPort, etcdLog);
    const apiLog = join(dir, 'kube-apiserver.log');
    const auditPolicy = join(dir, 'audit-policy.yaml');
    await writeFile(auditPolicy, AUDIT_POLICY);
    const apiserver = startDetached(
      join(binDir, 'kube-apiserver'),
      [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        `--bind-address=${node ? '0.0.0.0' : '127.0.0.1'}`,
        `--advertise-address=${node ?? '127.0.0.1'}`,
        `--secure-port=${apiPort}`,
        `--cert-dir=${pki}`,
        `--tls-cert-file=${serving.certPath}`,
        `--tls-private-key-file=${serving.keyPath}`,
        `--client-ca-file=${ca.certPath}`,
        `--service-account-key-file=${sa.publicPath}`,
        `--service-account-signing-key-file=${sa.privatePath}`,
        '--service-account-issuer=https://kubernetes.default.svc',
        '--api-audiences=https://kubernetes.default.svc',
        // A real node's kubelet is authorized as a real install's is: by the Node authorizer.
        `--authorization-mode=${node ? 'Node,RBAC' : 'RBAC'}`,
        '--allow-privileged=true',
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // With a real node, the `kubernetes` Service's endpoint is the advertised address (pods reach it).
        `--endpoint-reconciler-type=${node ? 'lease' : 'none'}`,
        `--kubelet-client-certificate=${kubeletClient.certPath}`,
        `--kubelet-client-key=${kubeletClient.keyPath}`,
        '--kubelet-preferred-address-types=InternalIP',
        '--profiling=false',
        `--requestheader-client-ca-file=${frontProxyCa.certPath}`,
        '--requestheader-allowed-names=front-proxy-client',
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${frontProxyClient.certPath}`,
        `--proxy-client-key-file=${frontProxyClient.keyPath}`,
        '--enable-aggregator-routing=true',
        `--audit-policy-file=${auditPolicy}`,
        `--audit-log-path=${auditLogPath(dir)}`,
        // Blocking (the default, said here because the tests rely on it): an event is written before the
        // answer, so a review is in the log by the time its caller has its answer.
        '--audit-log-mode=blocking',
        '--v=1',
      ],
      apiLog,
    );
    state.apiserverPid = apiserver.pid;
    state.startTimes.apiserver = apiserver.startTime;
    const [caPem, certPem, keyPem] = await Promise.all([
      readPem(ca.certPath),
      readPem(admin.certPath),
      readPem(admin.keyPath),
    ]);
    await eventually(
      async () =>
        (await getStatus(`${state.url}/readyz`, caPem, certPem, keyPem)) === 200 ? true : undefined,
      60_000,
      `kube-apiserver /readyz (log: ${apiLog})`,
    );
    await writeFile(state.kubeconfigPath, kubeconfigYaml(state.url, caPem, certPem, keyPem), { mode: 0o600 });
    const controllerManager = await startControllerManager(state, {
      saPrivatePath: sa.privatePath,
      caPath: ca.certPath,
    });
    state.controllerManagerPid = controllerManager.pid;
    state.startTimes.controllerManager = controllerManager.startTime;
    await writeFile(join(dir, 'control-plane.json'), JSON.stringify(state, null, 2));
    return state;
  } catch (error) {
    await stopControlPlane(state);
    throw error;
  }
}

/**
 * The controllers a test cluster needs: service accounts and their tokens, the root CA config map,
 * Deployments, ReplicaSets, Jobs, namespace deletion, the garbage collector (owner references), and
 * the aggregation of ClusterRoles labelled aggregate-to-admin/edit/view into those roles (what a tenant
 * bound to `admin` in a namespace may do is what a cluster grants, OLM's generated roles included).
 * No scheduler, node or pod garbage collection: the simulated kubelet binds the pods it runs.
 */
export const TEST_CONTROLLERS = [
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'deployment-controller',
  'replicaset-controller',
  'job-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'clusterrole-aggregation-controller',
];

/**
 * What a real install runs besides TEST_CONTROLLERS, for a real node: Services' endpoints and EndpointSlices,
 * DaemonSets, StatefulSets, CronJobs, the node lifecycle (a new node's not-ready taint goes once it is
 * Ready), pod garbage collection (pods of a deleted node), TTL of finished Jobs and PersistentVolume binding.
 */
export const NODE_CONTROLLERS = [
  ...TEST_CONTROLLERS,
  'endpoints-controller',
  'endpointslice-controller',
  'endpointslice-mirroring-controller',
  'daemonset-controller',
  'statefulset-controller',
  'cronjob-controller',
  'node-lifecycle-controller',
  'pod-garbage-collector-controller',
  'ttl-after-finished-controller',
  // PersistentVolumeClaims bind to the PersistentVolumes a test makes (no dynamic provisioner here), and
  // their protection finalizers are removed again once no pod uses them.
  'persistentvolume-binder-controller',
  'persistentvolume-protection-controller',
  'persistentvolumeclaim-protection-controller',
];

async function startControllerManager(
  state: ControlPlaneState,
  keys: { saPrivatePath: string; caPath: string },
): Promise<ProcessIdentity> {
  const log = join(state.dir, 'kube-controller-manager.log');
  const started = startDetached(
    join(state.binDir, 'kube-controller-manager'),
    [
      `--kubeconfig=${state.kubeconfigPath}`,
      `--controllers=${(state.nodeAddress ? NODE_CONTROLLERS : TEST_CONTROLLERS).join(',')}`,
      `--service-account-private-key-file=${keys.saPrivatePath}`,
      `--root-ca-file=${keys.caPath}`,
      '--use-service-account-credentials=false',
      '--leader-elect=false',
      '--secure-port=0',
      '--profiling=false',
      '--v=1',
    ],
    log,
  );
  // Ready once the service-account controller has given the default namespace its account.
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  await eventually(
    async () =>
      (await core.listNamespacedServiceAccount({ namespace: 'default' })).items.length > 0 ? true : undefined,
    60_000,
    `kube-controller-manager creating the default service account (log: ${log})`,
  );
  return started;
}

/**
 * Stops each component by PID, only while the PID still names the process started (the same start time).
 * A state file without start times (an older harness's) has its PIDs left alone, which is logged.
 */
export async function stopControlPlane(state: ControlPlaneProcesses): Promise<void> {
  for (const identity of controlPlaneIdentities(state)) await stopPid(identity);
}

type ControlPlaneProcesses = Pick<ControlPlaneState, 'etcdPid' | 'apiserverPid'> & {
  controllerManagerPid?: number;
  startTimes?: Partial<ControlPlaneState['startTimes']>;
};

/** The components' identities, in the order they stop: the controller manager first, etcd last. */
function controlPlaneIdentities(state: ControlPlaneProcesses): ProcessIdentity[] {
  const starts = state.startTimes ?? {};
  return [
    recordedIdentity('kube-controller-manager', state.controllerManagerPid, starts.controllerManager),
    recordedIdentity('kube-apiserver', state.apiserverPid, starts.apiserver),
    recordedIdentity('etcd', state.etcdPid, starts.etcd),
  ].filter((identity) => identity !== undefined);
}

function execFileAsync(command: string, args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ stdout, stderr, code });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function attach(state: ControlPlaneState): Promise<ControlPlane> {
  const caPem = await readFile(state.caPath, 'utf8');
  return {
    ...state,
    caPem,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromFile(state.kubeconfigPath);
      return kc;
    },
    kubectl(args, options = {}) {
      const kubeconfig = options.kubeconfig ?? state.kubeconfigPath;
      return execFileAsync(
        join(state.binDir, 'kubectl'),
        [`--kubeconfig=${kubeconfig}`, ...args],
        options.input,
      );
    },
  };
}

let shared: Promise<ControlPlane> | undefined;

/** The run's shared control plane, or a private one for this process when none was started for the run. */
export function getControlPlane(): Promise<ControlPlane> {
  shared ??= (async () => {
    const statePath = process.env.FURNACE_TEST_CONTROL_PLANE;
    if (statePath) return attach(JSON.parse(await readFile(statePath, 'utf8')) as ControlPlaneState);
    const dir = await mkdtemp(join(tmpdir(), 'furnace-cp-'));
    const state = await startControlPlane(dir, binDirFromEnv());
    process.once('exit', () => {
      for (const identity of controlPlaneIdentities(state)) {
        try {
          if (isSameProcess(identity)) process.kill(identity.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      execFileSync('rm', ['-rf', dir]);
    });
    return attach(state);
  })();
  return shared;
}

/**
 * A control plane on state directory `dir`, kept between runs: etcd's data there (an earlier run's
 * objects) is reused and the PKI is issued anew. It stops (by PID) when the test ends; the directory
 * stays. For benchmarks whose setup (tens of thousands of objects) is too slow to repeat every run.
 */
export async function startKeptControlPlane(t: TestContext, dir: string): Promise<ControlPlane> {
  const state = await startControlPlane(dir, binDirFromEnv());
  t.after(() => stopControlPlane(state));
  return attach(state);
}

export async function removeControlPlaneDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Compacts etcd's history up to its current revision, as the API server does every five minutes: a watch
 * from any earlier resourceVersion is then answered 410 Gone, whether the API server's watch cache or etcd
 * serves it. Through etcd's JSON gateway (`/v3/kv/range` for the revision, `/v3/kv/compaction`).
 */
export async function compactEtcd(cp: Pick<ControlPlaneState, 'etcdUrl'>): Promise<number> {
  const post = async (path: string, body: object): Promise<{ header?: { revision?: string } }> => {
    const answer = await fetch(`${cp.etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!answer.ok) throw new Error(`etcd ${path}: ${answer.status} ${await answer.text()}`);
    return (await answer.json()) as { header?: { revision?: string } };
  };
  const revision = (await post('/v3/kv/range', { key: Buffer.from('/').toString('base64') })).header
    ?.revision;
  if (revision === undefined) throw new Error('etcd answered no revision');
  await post('/v3/kv/compaction', { revision, physical: true });
  return Number(revision);
}
