// What a node could leave behind on this machine, in comparable form: iptables (both families, counters
// dropped), mount points, network links, the top-level cgroups of every hierarchy, /var/log/containers and
// ip_forward (mounts in the harness's podman storage left out). The teardown test takes one before a node starts and one after it stopped.
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run } from '../processes.ts';
import { snapshotIptables } from './iptables-record.ts';
import { CONTAINER_LOG_DIR } from './node-layout.ts';

export type MachineSnapshot = Record<string, string[]>;

export async function snapshotMachine(): Promise<MachineSnapshot> {
  const snapshot: MachineSnapshot = {};
  const iptables = await snapshotIptables();
  for (const [family, tables] of Object.entries(iptables)) {
    for (const [table, { chains, rules }] of Object.entries(tables)) {
      snapshot[`${family} ${table}`] = [...chains.map((c) => `chain ${c}`), ...rules];
    }
  }
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  // The harness's podman (image builds, which may run beside a node) mounts its layers in its own storage.
  const podmanStorage = join(
    process.env.FURNACE_TEST_CACHE ?? join(homedir(), '.cache', 'furnace-test'),
    'podman',
  );
  snapshot.mounts = mountinfo
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4] ?? '')
    .filter((point) => !point.startsWith(`${podmanStorage}/`));
  const { stdout } = await run('ip', ['-o', 'link', 'show']);
  snapshot.links = stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '');
  snapshot.cgroups = [];
  for (const hierarchy of await readdir('/sys/fs/cgroup')) {
    const entries = await readdir(join('/sys/fs/cgroup', hierarchy), { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) snapshot.cgroups.push(`${hierarchy}/${e.name}`);
  }
  snapshot.containerLogs = await readdir(CONTAINER_LOG_DIR).catch(() => ['(none)']);
  snapshot.ipForward = [(await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim()];
  snapshot.bridgeNf = [
    (await readFile('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').catch(() => '')).trim(),
  ];
  return snapshot;
}

/** Lines only `after` has (`+`) or only `before` has (`-`), by key; empty when the two are the same. */
export function machineDiff(before: MachineSnapshot, after: MachineSnapshot): string[] {
  const diff: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = new Set(before[key] ?? []);
    const now = new Set(after[key] ?? []);
    for (const line of now) if (!was.has(line)) diff.push(`+ ${key}: ${line}`);
    for (const line of was) if (!now.has(line)) diff.push(`- ${key}: ${line}`);
  }
  return diff;
}
