// Where a Node.js process's inspector listens: the TCP ports on 127.0.0.1 that the process itself has in
// LISTEN (its socket inodes in /proc/PID/fd matched against /proc/PID/net/tcp, which is the process's own
// network namespace), and of those, the one whose /json/list answers as an inspector does.
import { readdir, readFile, readlink } from 'node:fs/promises';

const TCP_LISTEN = '0A';
const LOOPBACK_HEX = '0100007F';

/** Loopback ports in LISTEN by socket inode, from /proc/net/tcp text. Pure. */
export function parseLoopbackListeners(tcp: string): Map<number, number> {
  const ports = new Map<number, number>();
  for (const line of tcp.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [address, port] = (fields[1] ?? '').split(':');
    if (fields[3] !== TCP_LISTEN || address !== LOOPBACK_HEX || port === undefined) continue;
    const inode = Number(fields[9]);
    if (inode > 0) ports.set(inode, parseInt(port, 16));
  }
  return ports;
}

/** The loopback ports the process listens on, ascending; empty when its files cannot be read. */
export async function loopbackPortsOf(pid: number, procRoot = '/proc'): Promise<number[]> {
  const tcp = await readFile(`${procRoot}/${pid}/net/tcp`, 'utf8').catch(() => '');
  const listeners = parseLoopbackListeners(tcp);
  const fds = await readdir(`${procRoot}/${pid}/fd`).catch(() => [] as string[]);
  const ports = new Set<number>();
  for (const fd of fds) {
    const target = await readlink(`${procRoot}/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    const port = inode === undefined ? undefined : listeners.get(Number(inode));
    if (port !== undefined) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

export interface InspectorTarget {
  port: number;
  /** The DevTools protocol WebSocket of the process's main thread. */
  webSocketUrl: string;
}

/** The inspector on this port, when /json/list answers with a Node target's WebSocket on loopback. */
export async function inspectorAt(port: number, timeoutMs = 1000): Promise<InspectorTarget | undefined> {
  try {
    const answer = await fetch(`http://127.0.0.1:${port}/json/list`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!answer.ok) return undefined;
    const list = (await answer.json()) as unknown;
    if (!Array.isArray(list)) return undefined;
    for (const item of list as { type?: unknown; webSocketDebuggerUrl?: unknown }[]) {
      const url = item.webSocketDebuggerUrl;
      // Only the port that was asked, on loopback: an answer cannot send the recorder anywhere else.
      if (item.type === 'node' && typeof url === 'string' && url.startsWith(`ws://127.0.0.1:${port}/`))
        return { port, webSocketUrl: url };
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** The inspector among the process's loopback listeners, if one is open. */
export async function findInspector(pid: number, procRoot = '/proc'): Promise<InspectorTarget | undefined> {
  for (const port of await loopbackPortsOf(pid, procRoot)) {
    const found = await inspectorAt(port);
    if (found !== undefined) return found;
  }
  return undefined;
}
