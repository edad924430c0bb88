// The two kernel file systems a recorder in a container may have to mount for itself before bpftrace runs:
// - tracefs at /sys/kernel/tracing: a container's /sys is a fresh sysfs without it, and bpftrace 0.17 reads
//   a tracepoint's format there (`tracepoint not found: sched:sched_switch` otherwise);
// - the cgroup2 tree, read-only, in a directory of the recorder's own: a container on a cgroup v1 or hybrid
//   node sees no cgroup2 mount, or only its own cgroup, so the targets' cgroup directories (whose inode
//   numbers are the IDs bpftrace compares) are out of its sight.
// Both need CAP_SYS_ADMIN, which the recorder has for perf; both stay in the recorder's mount namespace and
// go with it. `mount` is util-linux's, in the sidecar image.
import { access, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunCommand } from '../../host/runtime.ts';

/** Where bpftrace 0.17 looks for tracefs, in its order of preference. */
const TRACEFS_PATHS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** The recorder's own read-only view of the whole cgroup2 tree, when it has to mount one. */
export const PRIVATE_CGROUP2 = join(tmpdir(), 'furnace-cgroup2');

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * tracefs where bpftrace looks for it, mounted at /sys/kernel/tracing when neither path has it; the failure's
 * text when that mount fails (bpftrace then cannot attach to tracepoints), else undefined.
 */
export async function ensureTracefs(runCommand: RunCommand, root = ''): Promise<string | undefined> {
  for (const path of TRACEFS_PATHS) if (await exists(`${root}${path}/events`)) return undefined;
  const target = `${root}${TRACEFS_PATHS[0] ?? ''}`;
  const result = await runCommand('mount', ['-t', 'tracefs', 'tracefs', target]).catch((error: unknown) => ({
    code: -1,
    stdout: '',
    stderr: String(error),
  }));
  if (result.code === 0 && (await exists(`${target}/events`))) return undefined;
  return `tracefs is not mounted at ${target} and mounting it failed (exit ${result.code}): ${result.stderr.trim()}`;
}

/** Mounts the cgroup2 tree read-only at `directory`; true when it is there afterwards. */
export async function mountCgroup2(runCommand: RunCommand, directory = PRIVATE_CGROUP2): Promise<boolean> {
  if (await exists(join(directory, 'cgroup.controllers'))) return true;
  await mkdir(directory, { recursive: true });
  const options = 'ro,nosuid,nodev,noexec';
  const result = await runCommand('mount', ['-t', 'cgroup2', '-o', options, 'cgroup2', directory]).catch(
    () => undefined,
  );
  return result?.code === 0 && (await exists(join(directory, 'cgroup.controllers')));
}
