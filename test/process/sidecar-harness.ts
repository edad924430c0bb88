// Helpers for sidecar process tests: test programs, a fake registration server, the real sidecar process.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { TestContext } from 'node:test';
import type { RecordingStatus } from '../../core/recording.ts';

export const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;

/** Two hot functions; the heavy one does three times the work of the light one on every round. */
const HOT_C = `#include <stdlib.h>
#include <time.h>
volatile unsigned long sink;
#ifdef FURNACE_BUILD_TAG
/* A distinct build id per build, so perf's build-id cache cannot lend symbols from an earlier build. */
__attribute__((used)) const char furnace_build_tag[] = FURNACE_BUILD_TAG;
#endif
__attribute__((noinline)) void furnace_light(void) { for (unsigned long i = 0; i < 2000000UL; i++) sink += i; }
__attribute__((noinline)) void furnace_heavy(void) { for (unsigned long i = 0; i < 6000000UL; i++) sink += i; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  double end = now() + (argc > 1 ? atof(argv[1]) : 60.0);
  while (now() < end) { furnace_light(); furnace_heavy(); }
  return 0;
}
`;

/** A scratch directory outside /tmp (tests give some targets a private /tmp), removed after the test. */
export async function workDir(t: TestContext, name: string): Promise<string> {
  const dir = await mkdtemp(`/var/tmp/furnace-${name}-`);
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Builds the C test program (frame pointers kept, no optimization) and returns its path. */
export async function buildHotProgram(dir: string, extraFlags: string[] = []): Promise<string> {
  await writeFile(`${dir}/hot.c`, HOT_C);
  await run('gcc', [
    '-O0',
    '-fno-omit-frame-pointer',
    ...extraFlags,
    '-o',
    `${dir}/furnace-hot`,
    `${dir}/hot.c`,
  ]);
  return `${dir}/furnace-hot`;
}

/** Starts a process and stops it by PID when the test ends. */
export function startProcess(
  t: TestContext,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd?: string,
): ChildProcess {
  // Node with --perf-basic-prof writes isolate-*.log files into its working directory.
  const child = spawn(command, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
    ...(cwd ? { cwd } : {}),
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.on('exit', (code) => {
    if (code !== 0 && code !== null && process.env.FURNACE_TEST_VERBOSE) process.stderr.write(stderr);
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

export interface FakeServer {
  url: string;
  proxyToken: string;
  /** Resolves with the sidecar's port once it has registered. */
  registered: Promise<number>;
  registrations: { authorization: string | undefined; body: unknown }[];
  uploads: Map<string, Buffer>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A stand-in for the Furnace server's registration and upload endpoints, on a loopback port. */
export async function startFakeRegistrationServer(t: TestContext, secret: string): Promise<FakeServer> {
  let announce: (port: number) => void = () => {};
  const fake: FakeServer = {
    url: '',
    proxyToken: `proxy-${Math.random().toString(36).slice(2)}`,
    registered: new Promise<number>((resolve) => (announce = resolve)),
    registrations: [],
    uploads: new Map(),
  };
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const authorization = request.headers.authorization;
      if (request.method === 'POST' && request.url === '/api/v1/sidecars') {
        fake.registrations.push({ authorization, body: JSON.parse(body.toString()) as unknown });
        if (authorization !== `Bearer ${secret}`) return response.writeHead(401).end('{}');
        announce((JSON.parse(body.toString()) as { port: number }).port);
        return response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ leaseSeconds: 60, proxyToken: fake.proxyToken }));
      }
      if (request.method === 'PUT' && request.url?.startsWith('/api/v1/recordings/')) {
        if (authorization !== `Bearer ${fake.proxyToken}`) return response.writeHead(401).end('{}');
        fake.uploads.set(request.url, body);
        return response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
      return response.writeHead(404).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return fake;
}

export interface SidecarProcess {
  child: ChildProcess;
  base: string;
  call(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; json: unknown; text: string }>;
  waitFor(id: string, done: (status: RecordingStatus) => boolean): Promise<RecordingStatus>;
}

/** Runs `node --import tsx sidecar/main.ts` registered with the given server; stopped by PID after the test. */
export async function startSidecar(
  t: TestContext,
  server: FakeServer,
  secret: string,
  env: Record<string, string> = {},
): Promise<SidecarProcess> {
  const dataDir = await workDir(t, 'sidecar-data');
  const child = startProcess(t, process.execPath, ['--import', 'tsx', `${ROOT}sidecar/main.ts`], {
    FURNACE_SERVER_URL: server.url,
    FURNACE_REGISTRATION_SECRET: secret,
    FURNACE_POD_NAMESPACE: 'local',
    FURNACE_POD_NAME: 'test-host',
    FURNACE_SIDECAR_PORT: '0',
    FURNACE_SIDECAR_DATA: dataDir,
    ...env,
  });
  const exited = once(child, 'exit').then(() => {
    throw new Error('the sidecar exited before it registered');
  });
  const port = await Promise.race([server.registered, exited]);
  const base = `http://${env.FURNACE_POD_IP ?? '127.0.0.1'}:${port}`;
  const call: SidecarProcess['call'] = async (method, path, body, token = server.proxyToken) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  };
  const waitFor: SidecarProcess['waitFor'] = async (id, done) => {
    for (;;) {
      const { json, status: code, text } = await call('GET', `/recordings/${id}`);
      if (code !== 200) throw new Error(`GET /recordings/${id} answered ${code}: ${text}`);
      const status = json as RecordingStatus;
      if (done(status)) return status;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  return { child, base, call, waitFor };
}

/** Samples per function: the sum of the counts of every folded stack that contains it. */
export function samplesOf(folded: string, fn: string): number {
  let total = 0;
  for (const line of folded.split('\n')) {
    const space = line.lastIndexOf(' ');
    if (space < 0) continue;
    if (
      line
        .slice(0, space)
        .split(';')
        .some((frame) => frame === fn || frame.startsWith(`${fn} `))
    ) {
      total += Number(line.slice(space + 1));
    }
  }
  return total;
}

export function finished(status: RecordingStatus): boolean {
  return status.state === 'done' || status.state === 'failed';
}

/** Runs a command as a pod "container": own mount namespace, private /tmp, the kubelet's termination-log mount. */
export async function startContainer(
  t: TestContext,
  dir: string,
  podUid: string,
  name: string,
  command: string[],
): Promise<ChildProcess> {
  const logDir = `${dir}/kubelet/pods/${podUid}/containers/${name}`;
  await mkdir(logDir, { recursive: true });
  await writeFile(`${logDir}/5e0c7a19`, '');
  const script = [
    'mount -t tmpfs tmpfs /tmp',
    'touch /tmp/termination-log',
    `mount --bind ${logDir}/5e0c7a19 /tmp/termination-log`,
    `cd ${dir}`,
    `exec ${command.join(' ')}`,
  ].join(' && ');
  const child = startProcess(t, 'unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script]);
  // Ready once the mount is in place and the program has replaced the shell.
  for (;;) {
    const mountinfo = await readFile(`/proc/${child.pid}/mountinfo`, 'utf8').catch(() => '');
    const comm = (await readFile(`/proc/${child.pid}/comm`, 'utf8').catch(() => '')).trim();
    if (mountinfo.includes(`/containers/${name}/`) && comm !== 'sh' && comm !== 'unshare') return child;
    if (child.exitCode !== null) throw new Error(`container ${name} exited at once`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
