// Stands in for the kubelet: runs a stored Pod's containers as local processes in one new PID namespace
// (what `shareProcessNamespace: true` gives a real pod), each in its own mount namespace with the
// kubelet-style termination-log bind mount, its volumes mounted and its environment resolved. Each
// container runs in its own cgroup named as containerd names it (pod-cgroups.ts), and the pod's status
// lists the container IDs, so a node agent can map processes to pods and containers as on a real node.
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Container, V1Pod } from '@kubernetes/client-node';
import { SIDECAR_CONTAINER_NAME } from '../../core/contract/names.ts';
import { checkCommand } from './commands.ts';
import { createPodCgroups, joinCgroupLine, type CgroupDriver, type PodCgroups } from './pod-cgroups.ts';
import { resolveContainerEnv } from './pod-env.ts';
import { materialiseVolumes } from './pod-volumes.ts';
import { writeHostsFile, type HostEntries } from './hosts-file.ts';
import { eventually } from './eventually.ts';
import { childPids, startDetached, stopPid } from './processes.ts';
import { identifyChild, isSameProcess } from './process-identity.ts';
import { PROJECT_ROOT } from './project-root.ts';
import { TYPESCRIPT_NODE_ARGS } from '../../core/typescript-args.ts';

export const SIM_NODE_NAME = 'furnace-sim-node';

export interface SimulatePodOptions {
  /** argv per container name; images mean nothing here. The `furnace` sidecar defaults to this checkout's. */
  commands?: Record<string, string[]>;
  /** How the pod's cgroups are named (default systemd); `none` leaves every process in the caller's cgroup. */
  cgroupDriver?: CgroupDriver | 'none';
  /**
   * Names the cluster's DNS would resolve for the pod (name → address), e.g. the Service in the injected
   * FURNACE_SERVER_URL: with the pod's own name and IP, the /etc/hosts every container sees.
   */
  hosts?: HostEntries;
  /** Containers started again whenever their process exits, as the kubelet restarts them (a kill -9). */
  restartAlways?: string[];
}

export interface SimulatedPod {
  /** The Pod as stored once bound and running. */
  pod: V1Pod;
  ip: string;
  /** Container name → containerd ID, as `status.containerStatuses` lists them (`containerd://<id>`). */
  containerIds: Record<string, string>;
  /** Host PIDs of every process in the pod's PID namespace. */
  hostPids(): Promise<number[]>;
  /** Host PID of a container's main process. */
  containerPid(name: string): Promise<number>;
  logs(container: string): Promise<string>;
  stop(): Promise<void>;
}

export function sidecarCommand(): string[] {
  return [process.execPath, ...TYPESCRIPT_NODE_ARGS, join(PROJECT_ROOT, 'sidecar/main.ts')];
}

const usedIps = new Set<string>();
function allocateIp(): string {
  for (;;) {
    const ip = `127.1.${1 + Math.floor(Math.random() * 254)}.${1 + Math.floor(Math.random() * 254)}`;
    if (!usedIps.has(ip)) {
      usedIps.add(ip);
      return ip;
    }
  }
}

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** What the kubelet reports for a running container: its ID, and that it runs. */
function runningStatus(container: V1Container, cgroups: PodCgroups | undefined, startedAt: Date) {
  const id = cgroups?.containers.get(container.name)?.id;
  return {
    name: container.name,
    image: container.image ?? '',
    imageID: '',
    ...(id === undefined ? {} : { containerID: `containerd://${id}` }),
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt } },
  };
}

async function markRunning(
  kc: KubeConfig,
  stored: V1Pod,
  ip: string,
  cgroups: PodCgroups | undefined,
): Promise<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  const name = stored.metadata?.name ?? '';
  const namespace = stored.metadata?.namespace ?? '';
  if (!stored.spec?.nodeName) {
    await core.createNamespacedPodBinding({
      name,
      namespace,
      body: { metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: SIM_NODE_NAME } },
    });
  }
  const pod = await core.readNamespacedPodStatus({ name, namespace });
  const startTime = new Date();
  pod.status = {
    ...pod.status,
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    hostIP: '127.0.0.1',
    startTime,
    containerStatuses: (pod.spec?.containers ?? []).map((c) => runningStatus(c, cgroups, startTime)),
    ...(pod.spec?.initContainers?.length
      ? { initContainerStatuses: pod.spec.initContainers.map((c) => runningStatus(c, cgroups, startTime)) }
      : {}),
  };
  return core.replaceNamespacedPodStatus({ name, namespace, body: pod });
}

async function containerScript(
  kc: KubeConfig,
  pod: V1Pod,
  container: V1Container,
  argv: string[],
  root: string,
  volumes: Map<string, string>,
  cgroupDir: string | undefined,
  hostsPath: string | undefined,
): Promise<string> {
  const uid = pod.metadata?.uid ?? 'unknown';
  // The kubelet bind-mounts …/pods/<uid>/containers/<name>/<n> as the termination log; its path is what
  // identifies the container from /proc/PID/mountinfo.
  const logSource = join(root, 'pods', uid, 'containers', container.name, '0');
  const logTarget = join(root, 'mnt', container.name, 'termination-log');
  await mkdir(join(logSource, '..'), { recursive: true });
  await mkdir(join(logTarget, '..'), { recursive: true });
  await writeFile(logSource, '');
  await writeFile(logTarget, '');
  const lines = ['set -e', `mount --bind ${quote(logSource)} ${quote(logTarget)}`];
  if (hostsPath !== undefined) lines.push(`mount --bind ${quote(hostsPath)} /etc/hosts`);
  // Into the container's cgroup before anything of the container runs; what it execs and forks stays there.
  if (cgroupDir !== undefined) lines.push(joinCgroupLine(cgroupDir));
  for (const mount of container.volumeMounts ?? []) {
    const source = volumes.get(mount.name);
    if (source === undefined)
      throw new Error(`container ${container.name} mounts unknown volume ${mount.name}`);
    const from = mount.subPath ? join(source, mount.subPath) : source;
    if (from === mount.mountPath) continue;
    lines.push(`mkdir -p ${quote(mount.mountPath)}`, `mount --bind ${quote(from)} ${quote(mount.mountPath)}`);
    if (mount.readOnly) lines.push(`mount -o remount,bind,ro ${quote(mount.mountPath)}`);
  }
  const env = await resolveContainerEnv(kc, pod, container);
  lines.push(`cd ${quote(container.workingDir ?? PROJECT_ROOT)}`);
  const envArgs = Object.entries(env).map(([k, v]) => quote(`${k}=${v}`));
  lines.push(`exec env -i ${envArgs.join(' ')} ${argv.map(quote).join(' ')}`);
  const path = join(root, 'ctr', `${container.name}.sh`);
  await mkdir(join(root, 'ctr'), { recursive: true });
  await writeFile(path, lines.join('\n') + '\n');
  return path;
}

function podInitScript(
  podName: string,
  root: string,
  scripts: ContainerScript[],
  sandboxCgroup: string | undefined,
  restartAlways: readonly string[] = [],
): string {
  const lines = [`hostname ${quote(podName)}`, 'pids=""'];
  // The pod's init stands in for the sandbox's pause process, in the sandbox's cgroup.
  if (sandboxCgroup !== undefined) lines.unshift(joinCgroupLine(sandboxCgroup));
  for (const { name, path, init } of scripts) {
    const run = `unshare --mount --propagation private /bin/sh ${quote(path)} >>${quote(join(root, 'logs', `${name}.log`))} 2>&1`;
    // Init containers run to completion, in order, before the app containers start.
    // A restarted container runs its script again: a new mount namespace, the same volumes and cgroup.
    const again = restartAlways.includes(name) ? `(while :; do ${run}; sleep 1; done)` : run;
    lines.push(init ? `${run} || exit 1` : `${again} &\npids="$pids $!"`);
  }
  lines.push(`trap 'kill -TERM $pids 2>/dev/null; wait; exit 0' TERM INT`, 'wait');
  return lines.join('\n') + '\n';
}

async function pidsInNamespace(nsLink: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await readlink(`/proc/${entry}/ns/pid`)) === nsLink) pids.push(Number(entry));
    } catch {
      // the process exited while we looked
    }
  }
  return pids;
}

type ContainerScript = { name: string; path: string; init: boolean };

/** One script per container, init containers first (those that run to completion are marked init). */
async function writeContainerScripts(
  kc: KubeConfig,
  pod: V1Pod,
  where: {
    commands: Record<string, string[]>;
    root: string;
    volumes: Map<string, string>;
    cgroups: PodCgroups | undefined;
    hostsPath: string | undefined;
  },
): Promise<ContainerScript[]> {
  const scripts: ContainerScript[] = [];
  const all = [
    ...(pod.spec?.initContainers ?? []).map((c) => ({ c, init: c.restartPolicy !== 'Always' })),
    ...(pod.spec?.containers ?? []).map((c) => ({ c, init: false })),
  ];
  for (const { c, init } of all) {
    const argv = where.commands[c.name];
    if (!argv) throw new Error(`no command for container ${c.name}; pass options.commands.${c.name}`);
    const cgroupDir = where.cgroups?.containers.get(c.name)?.dir;
    const path = await containerScript(
      kc,
      pod,
      c,
      argv,
      where.root,
      where.volumes,
      cgroupDir,
      where.hostsPath,
    );
    scripts.push({ name: c.name, path, init });
  }
  return scripts;
}

/**
 * A container's shell script starts its command, out of the harness's sight: each is checked against the
 * table here, before anything of the pod is made.
 */
function checkContainerCommands(commands: Record<string, string[]>): void {
  for (const [command = '', ...args] of Object.values(commands)) checkCommand(command, args);
}

/** Runs the stored pod `namespace/name` as local processes. */
export async function simulatePod(
  kc: KubeConfig,
  namespace: string,
  name: string,
  options: SimulatePodOptions = {},
): Promise<SimulatedPod> {
  const commands: Record<string, string[]> = {
    [SIDECAR_CONTAINER_NAME]: sidecarCommand(),
    ...options.commands,
  };
  checkContainerCommands(commands);
  const ip = allocateIp();
  const stored = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ name, namespace });
  const driver = options.cgroupDriver ?? 'systemd';
  const names = [...(stored.spec?.initContainers ?? []), ...(stored.spec?.containers ?? [])].map(
    (c) => c.name,
  );
  const cgroups =
    driver === 'none' ? undefined : await createPodCgroups(driver, stored.metadata?.uid ?? '', names);
  const pod = await markRunning(kc, stored, ip, cgroups);
  const root = await mkdtemp(join(tmpdir(), `furnace-pod-${name}-`));
  await mkdir(join(root, 'logs'));
  const volumes = await materialiseVolumes(kc, pod, root);
  const hostsPath = options.hosts
    ? await writeHostsFile(join(root, 'hosts'), { [name]: ip, ...options.hosts })
    : undefined;
  const scripts = await writeContainerScripts(kc, pod, { commands, root, volumes, cgroups, hostsPath });
  const initPath = join(root, 'pod-init.sh');
  await writeFile(initPath, podInitScript(name, root, scripts, cgroups?.sandbox.dir, options.restartAlways));
  const unshare = startDetached(
    'unshare',
    ['--pid', '--fork', '--mount-proc', '--uts', '--kill-child=SIGTERM', '/bin/sh', initPath],
    join(root, 'logs', 'pod-init.log'),
  );
  // Its start time too, read while it is unshare's child: stop() signals it only while the PID names it.
  const init = await eventually(
    async () => identifyChild(unshare.pid, (await childPids(unshare.pid))[0]),
    10_000,
    `pod ${name} to start`,
  );
  const initPid = init.pid;
  const nsLink = await readlink(`/proc/${initPid}/ns/pid`);
  const hostPids = async () => (await pidsInNamespace(nsLink)).filter((p) => p !== initPid);

  return {
    pod,
    ip,
    containerIds: Object.fromEntries([...(cgroups?.containers ?? [])].map(([n, c]) => [n, c.id])),
    hostPids,
    async containerPid(container: string) {
      const mark = `/pods/${pod.metadata?.uid}/containers/${container}/`;
      return eventually(
        async () => {
          for (const pid of await hostPids()) {
            const mountinfo = await readFile(`/proc/${pid}/mountinfo`, 'utf8').catch(() => '');
            const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
            if (mountinfo.includes(mark) && !cmdline.startsWith('unshare')) return pid;
          }
          return undefined;
        },
        10_000,
        `container ${container} of pod ${name}`,
      );
    },
    logs: (container) => readFile(join(root, 'logs', `${container}.log`), 'utf8'),
    async stop() {
      // unshare ignores SIGTERM while it waits, so the pod's init (PID 1 inside) gets it directly.
      // SIGKILL after 5 s; PID 1 of the namespace gone means the kernel killed everything else in it.
      await stopPid(init, 5000);
      while (isSameProcess(unshare)) await sleep(20);
      await cgroups?.remove();
      await rm(root, { recursive: true, force: true });
    },
  };
}
