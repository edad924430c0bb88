// The node's containerd (Debian's 1.6, runc): its own root, state, socket and configuration, so nothing of a
// containerd the machine may run is touched. The CRI plugin runs sandboxes on the harness's pause image and
// pod networks from the node's CNI directory.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '../eventually.ts';
import { run, startDetached } from '../processes.ts';
import type { ProcessIdentity } from '../process-identity.ts';
import { PAUSE_IMAGE, type NodePaths } from './node-layout.ts';

/**
 * - SystemdCgroup = false: there is no systemd as PID 1 here; the kubelet uses the cgroupfs driver too.
 * - restrict_oom_score_adj: the machine's root lacks CAP_SYS_RESOURCE, so a container may not be given a
 *   lower OOM score than containerd's own.
 * - netns_mounts_under_state_dir: pod network namespaces are mounted below the node's state directory,
 *   not in /var/run/netns.
 * - registry config_path: a hosts directory of the node's own, empty at start; a test that runs a registry
 *   adds `<host:port>/hosts.toml` there (node-registry.ts), which containerd reads on each pull.
 */
function containerdConfig(paths: NodePaths, socket: string, runc: string): string {
  return `version = 2
root = ${JSON.stringify(paths.containerdRoot)}
state = ${JSON.stringify(paths.containerdState)}
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = ${JSON.stringify(socket)}

[ttrpc]
  address = ${JSON.stringify(`${socket}.ttrpc`)}

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = ${JSON.stringify(join(paths.containerdRoot, 'opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = ${JSON.stringify(paths.containerdHosts)}

[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = false
  BinaryName = ${JSON.stringify(runc)}

[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = ${JSON.stringify(paths.cniConfDir)}
  max_conf_num = 1
`;
}

/** Starts containerd and waits until it answers on its socket; returns its PID and start time. */
export async function startContainerd(
  paths: NodePaths,
  socket: string,
  logPath: string,
): Promise<ProcessIdentity> {
  await mkdir(paths.containerdRoot, { recursive: true });
  await mkdir(paths.containerdState, { recursive: true });
  await mkdir(paths.containerdHosts, { recursive: true });
  const runc = (await run('bash', ['-c', 'command -v runc'])).stdout.trim() || '/usr/sbin/runc';
  await writeFile(paths.containerdConfig, containerdConfig(paths, socket, runc));
  const { pid, startTime } = startDetached(
    'containerd',
    ['--config', paths.containerdConfig, '--log-level', 'warn'],
    logPath,
  );
  await eventually(
    async () => ((await ctr(socket, ['version']).catch(() => undefined)) === undefined ? undefined : true),
    30_000,
    `containerd answering on ${socket} (log: ${logPath})`,
  );
  return { pid, startTime };
}

/** Runs `ctr` against the node's containerd in the CRI's namespace. */
export async function ctr(socket: string, args: string[]): Promise<string> {
  return (await run('ctr', ['--address', socket, '-n', 'k8s.io', ...args], { maxBuffer: 16 * 1024 * 1024 }))
    .stdout;
}

/** Kills and deletes every task and container of the node's containerd (its own root: all are the node's). */
export async function removeAllContainers(socket: string): Promise<void> {
  const tasks = (await ctr(socket, ['tasks', 'ls', '-q']).catch(() => '')).split('\n').filter(Boolean);
  for (const id of tasks) {
    await ctr(socket, ['tasks', 'kill', '-s', 'SIGKILL', id]).catch(() => '');
  }
  for (const id of tasks) {
    await eventually(
      async () =>
        (await ctr(socket, ['tasks', 'delete', id]).catch(() => undefined)) === undefined ? undefined : true,
      15_000,
      `task ${id} to be deleted`,
    ).catch(() => undefined);
  }
  const containers = (await ctr(socket, ['containers', 'ls', '-q']).catch(() => ''))
    .split('\n')
    .filter(Boolean);
  for (const id of containers) await ctr(socket, ['containers', 'delete', id]).catch(() => '');
}
