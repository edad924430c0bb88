// Debian's nginx (built without frame pointers, as distributions build) with one worker on a loopback
// port, serving a 16 KiB HTML page gzip-compressed on each request (as sites serve pages), with a config of
// its own in a temp dir. bench:overhead and bench:callgraph load it with go-http-load.ts (the compression
// gives each request enough work that the worker's core, not the load generator, limits the throughput);
// tests that only need it busy use loadNginx.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.ts';
import { childPids, startProcess } from './processes.ts';

export const NGINX = '/usr/sbin/nginx';

function nginxConf(dir: string, port: number): string {
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
user root;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  keepalive_requests 100000000;
  gzip on;
  gzip_min_length 0;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
  }
}
`;
}

/** A page of varied text (a catalog table), about 16 KiB, that compresses as HTML does (about 4:1). */
function page(): string {
  const rows = Array.from(
    { length: 120 },
    (_, i) =>
      `<tr><td>${i}</td><td>item-${(i * 7919) % 10007}</td><td>${((i * 37) % 1000) / 10} €</td><td>${i % 3 === 0 ? 'in stock' : 'ships in ' + String(i % 9) + ' days'}</td></tr>`,
  );
  return `<!doctype html><html><head><title>catalog</title></head><body><table>${rows.join('\n')}</table></body></html>\n`;
}

export interface Nginx {
  url: string;
  /** The worker process: the one that serves, and the one recorded. */
  workerPid: number;
}

/**
 * Starts nginx, pinned to `cpu` when one is given (taskset; the worker inherits it); stopped by PID when the
 * test or bench ends. `binary` runs a copy of Debian's nginx under another name (its threads' comm).
 */
export async function startNginx(t: TestContext, dir: string, cpu?: number, binary = NGINX): Promise<Nginx> {
  await mkdir(join(dir, 'www'), { recursive: true });
  await mkdir(join(dir, 'tmp'), { recursive: true });
  await writeFile(join(dir, 'www', 'index.html'), page());
  const port = await freePort();
  await writeFile(join(dir, 'nginx.conf'), nginxConf(dir, port));
  const args = ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'];
  const master =
    cpu === undefined
      ? startProcess(t, binary, args)
      : startProcess(t, 'taskset', ['-c', String(cpu), binary, ...args]);
  for (let i = 0; i < 100; i++) {
    const [workerPid] = await childPids(master.pid);
    const comm = workerPid === undefined ? '' : await readFile(`/proc/${workerPid}/cmdline`, 'utf8');
    if (workerPid !== undefined && comm.includes('worker'))
      return { url: `http://127.0.0.1:${port}/`, workerPid };
    if (master.child.exitCode !== null) throw new Error(`nginx exited at once:\n${master.output()}`);
    await sleep(50);
  }
  throw new Error(`nginx started no worker:\n${master.output()}`);
}

/** GET `url` over `connections` keep-alive connections, each asking again once answered, until stopped. */
export function loadNginx(url: string, connections = 2): { stop(): Promise<number> } {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  let running = true;
  let answered = 0;
  const get = (): Promise<void> =>
    new Promise((resolve) => {
      const req = request(url, { agent, headers: { 'accept-encoding': 'gzip' } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) answered++;
          resolve();
        });
      });
      req.on('error', () => resolve());
      req.end();
    });
  const loop = async (): Promise<void> => {
    while (running) await get();
  };
  const loops = Array.from({ length: connections }, loop);
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return answered;
    },
  };
}
