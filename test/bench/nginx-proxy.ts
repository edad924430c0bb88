// nginx as the proxy benchmark's baseline: a foreground nginx (master and workers) with its own
// prefix and configuration in a temporary directory, listening on a loopback port and forwarding one
// path prefix to the stand-in sidecar over kept-alive upstream connections, with the sidecar's token
// set the way Furnace sets it. Stopped by the master's PID.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn, spawnSync, type ChildProcess } from '../harness/child-processes.ts';

export const NGINX_INSTALL_HINT =
  'nginx is not installed: on Debian or Ubuntu run `apt-get install -y --no-install-recommends nginx` ' +
  '(as root), or set BENCH_NGINX to the nginx binary';

/** The nginx binary to run (BENCH_NGINX, else the Debian path or PATH) and its version, or undefined. */
export function findNginx(): { binary: string; version: string } | undefined {
  const candidates = [process.env.BENCH_NGINX, '/usr/sbin/nginx', '/usr/local/sbin/nginx', 'nginx'];
  for (const binary of candidates) {
    if (!binary) continue;
    if (binary.includes('/') && !existsSync(binary)) continue;
    const probe = spawnSync(binary, ['-v'], { encoding: 'utf8' });
    // nginx prints "nginx version: nginx/1.22.1" on stderr.
    const version = /nginx\/(\S+)/.exec(probe.stderr ?? '')?.[1];
    if (probe.status === 0 && version) return { binary, version };
  }
  return undefined;
}

export interface NginxOptions {
  binary: string;
  /** An empty directory of its own: prefix, configuration, pid file and temporary files. */
  dir: string;
  listenPort: number;
  upstreamPort: number;
  /** The path prefix that is forwarded (ends without a slash); the rest of the path goes upstream. */
  prefix: string;
  /** The Authorization header nginx sends upstream instead of the caller's. */
  authorization: string;
  workers: number;
}

export function nginxConfig(options: NginxOptions): string {
  const temp = (name: string): string => join(options.dir, name);
  return `daemon off;
master_process on;
worker_processes ${options.workers};
pid ${temp('nginx.pid')};
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${temp('client_body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  # The load generator keeps its connections for the whole run; the default (1000) would close them.
  keepalive_requests 1000000;
  upstream sidecar {
    server 127.0.0.1:${options.upstreamPort};
    keepalive 32;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${options.listenPort};
    location ${options.prefix}/ {
      proxy_pass http://sidecar/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "${options.authorization}";
    }
  }
}
`;
}

export async function startNginx(options: NginxOptions): Promise<ChildProcess> {
  await mkdir(options.dir, { recursive: true });
  const config = join(options.dir, 'nginx.conf');
  await writeFile(config, nginxConfig(options));
  return spawn(options.binary, ['-p', options.dir, '-e', 'stderr', '-c', config], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** The master and its workers (the workers are the master's children). */
export async function nginxPids(masterPid: number): Promise<number[]> {
  const children = await readFile(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8').catch(() => '');
  return [masterPid, ...children.split(/\s+/).filter(Boolean).map(Number)];
}
