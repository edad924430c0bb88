// A real TCP load balancer in front of server replicas: HAProxy from Debian, in TCP mode on loopback (TLS
// passes through to the replicas), one frontend per listener kind, every backend server health-checked on
// its replica's /readyz (HTTPS, so a replica that turned readiness off at SIGTERM gets no new connections).
// The config is written by the test; the process is stopped by its PID when the test ends.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { eventually } from './eventually.ts';
import { freePort } from './ports.ts';
import { startProcess, type RunningProcess } from './processes.ts';
import { tempDir } from './temp-dirs.ts';

export interface BalancedServer {
  name: string;
  /** The port of the listener this frontend balances. */
  port: number;
  /** The port whose GET /readyz (HTTPS) tells whether the server takes new connections. */
  readyPort: number;
}

export interface HaproxyFrontend {
  name: string;
  servers: BalancedServer[];
}

export interface Haproxy {
  process: RunningProcess;
  /** The loopback port of each frontend, by name. */
  ports: Record<string, number>;
}

function backendLines(frontend: HaproxyFrontend): string[] {
  return [
    `backend ${frontend.name}`,
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    // Checked twice a second, each check given 2 s; two failed checks in a row take a server out, one good
    // one brings it back. A killed replica is out within about a second (its port refuses at once), and
    // until then a refused connection is tried again on the other server (retries, redispatch). A check
    // that is only slow (a replica busy starting, a loaded machine) takes nothing out, as a Kubernetes
    // readiness probe's failureThreshold does not.
    `  timeout check 2s`,
    // A server marked down keeps its connections, as a Service's endpoints leave them be: a draining replica
    // finishes them, and a killed replica's are closed by its kernel anyway.
    '  default-server inter 500ms fall 2 rise 1 check-ssl verify none',
    ...frontend.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check port ${s.readyPort}`),
  ];
}

function configText(frontends: HaproxyFrontend[], ports: Record<string, number>): string {
  const lines = [
    'global',
    '  maxconn 4096',
    // One line per connection on stdout (the process's output): which server, how long, how it ended.
    '  log stdout format raw local0',
    'defaults',
    '  log global',
    '  option tcplog',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout client 120s',
    '  timeout server 120s',
    // A connection refused by a killed server is tried once more on another.
    '  retries 2',
    '  option redispatch',
  ];
  for (const frontend of frontends)
    lines.push(
      `frontend ${frontend.name}`,
      `  bind 127.0.0.1:${ports[frontend.name]}`,
      `  default_backend ${frontend.name}`,
      ...backendLines(frontend),
    );
  return `${lines.join('\n')}\n`;
}

/** Starts `haproxy -db` (foreground) with the frontends; resolves once every frontend accepts connections. */
export async function startHaproxy(t: TestContext, frontends: HaproxyFrontend[]): Promise<Haproxy> {
  const dir = await tempDir(t, 'furnace-haproxy-');
  const ports: Record<string, number> = {};
  for (const frontend of frontends) ports[frontend.name] = await freePort();
  const configFile = join(dir, 'haproxy.cfg');
  await writeFile(configFile, configText(frontends, ports));
  const process = startProcess(t, 'haproxy', ['-db', '-f', configFile], { cleanEnv: true });
  await eventually(
    async () => {
      if (process.child.exitCode !== null) throw new Error(`haproxy exited: ${process.output()}`);
      const { connect } = await import('node:net');
      const ok = await Promise.all(
        Object.values(ports).map(
          (port) =>
            new Promise<boolean>((resolve) => {
              const socket = connect(port, '127.0.0.1', () => {
                socket.destroy();
                resolve(true);
              });
              socket.on('error', () => resolve(false));
            }),
        ),
      );
      return ok.every(Boolean) ? true : undefined;
    },
    30_000,
    'haproxy to listen',
  );
  return { process, ports };
}

/** HAProxy's log lines for connections that did not end cleanly (their termination state is not `--`). */
export function troubledConnections(haproxy: Haproxy, max = 20): string[] {
  const lines = haproxy.process.output().split('\n');
  // tcplog: ... <frontend> <backend>/<server> Tw/Tc/Tt bytes <termination state> ...
  return lines.filter((line) => /\/\S+ \S+\/\S+\/\S+ \d+ (?!--)\S\S /.test(line)).slice(-max);
}
