// Names a pod resolves that this machine does not: the harness has no cluster DNS, so a Service name that a
// recorder is told to reach (FURNACE_SERVER_URL) is written into an /etc/hosts file that is bind-mounted
// over /etc/hosts in the process's own mount namespace only, as the kubelet manages a pod's /etc/hosts.
import { writeFile } from 'node:fs/promises';

/** name → IPv4 address. */
export type HostEntries = Record<string, string>;

export async function writeHostsFile(path: string, entries: HostEntries): Promise<string> {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const [name, address] of Object.entries(entries)) lines.push(`${address}\t${name}`);
  await writeFile(path, lines.join('\n') + '\n');
  return path;
}

/**
 * argv that runs `argv` with `hostsPath` as its /etc/hosts, in a mount namespace of its own (unshare
 * without --fork execs, so the PID stays the command's and signals reach it).
 */
export function withHostsFile(hostsPath: string, argv: string[]): string[] {
  const script = 'mount --bind "$0" /etc/hosts && exec "$@"';
  return ['unshare', '--mount', '--propagation', 'private', '/bin/sh', '-c', script, hostsPath, ...argv];
}
