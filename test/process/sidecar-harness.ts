// Helpers for sidecar process tests: a fake registration server, the real sidecar process, and pod
// "containers" as processes.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { TestContext } from 'node:test';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { checkCommand } from '../harness/commands.ts';
import { callPinned } from '../harness/http.ts';
import { portOf } from '../harness/ports.ts';
import { startProcess, type RunningProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { finished } from '../harness/recording-status.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { TYPESCRIPT_NODE_ARGS } from '../../core/typescript-args.ts';

export interface FakeServer {
  url: string;
  proxyToken: string;
  /** What the fake accepts on uploads (never the proxy token). */
  uploadToken: string;
  /** Resolves with the registration body (ports, TLS key pin) once the sidecar has registered. */
  registered: Promise<RegistrationBody>;
  registrations: { authorization: string | undefined; body: unknown }[];
  uploads: Map<string, Buffer>;
}

export interface RegistrationBody {
  port: number;
  tlsPort: number;
  tlsPin: string;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A stand-in for the Furnace server's registration and upload endpoints, on a loopback port. */
export async function startFakeRegistrationServer(t: TestContext, secret: string): Promise<FakeServer> {
  let announce: (body: RegistrationBody) => void = () => {};
  const fake: FakeServer = {
    url: '',
    proxyToken: `proxy-${Math.random().toString(36).slice(2)}`,
    uploadToken: `upload-${Math.random().toString(36).slice(2)}`,
    registered: new Promise<RegistrationBody>((resolve) => (announce = resolve)),
    registrations: [],
    uploads: new Map(),
  };
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const authorization = request.headers.authorization;
      if (request.method === 'POST' && request.url === '/api/v1/sidecars') {
        fake.registrations.push({ authorization, body: JSON.parse(body.toString()) as unknown });
        if (authorization !== `Bearer ${secret}`) return response.writeHead(401).end('{}');
        announce(JSON.parse(body.toString()) as RegistrationBody);
        return response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(
            JSON.stringify({ leaseSeconds: 60, proxyToken: fake.proxyToken, uploadToken: fake.uploadToken }),
          );
      }
      if (request.method === 'PUT' && request.url?.startsWith('/api/v1/recordings/')) {
        if (authorization !== `Bearer ${fake.uploadToken}`) return response.writeHead(401).end('{}');
        fake.uploads.set(request.url, body);
        return response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
      return response.writeHead(404).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.url = `http://127.0.0.1:${portOf(server)}`;
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return fake;
}

export interface SidecarProcess {
  child: RunningProcess['child'];
  /** SIGTERM, and SIGKILL after the grace period; resolves with the exit code. */
  stop: RunningProcess['stop'];
  /** The plain port: /healthz only. */
  base: string;
  /** The API, over HTTPS with the key the sidecar registered (call checks its pin). */
  tlsBase: string;
  call(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; json: unknown; text: string }>;
  waitFor(id: string, done: (status: RecordingStatus) => boolean): Promise<RecordingStatus>;
  /** Starts a recording, asserting 202 Accepted; its first status. */
  start(body: unknown): Promise<RecordingStatus>;
  /** Starts a recording (asserting 202 Accepted) and waits until it has finished, well or not. */
  record(body: unknown): Promise<RecordingStatus>;
  /** An artifact of a recording, as text. */
  artifact(id: string, name: string): Promise<string>;
}

/** Runs `node sidecar/main.ts` (TYPESCRIPT_NODE_ARGS) registered with the given server; stopped by PID after the test. */
export async function startSidecar(
  t: TestContext,
  server: FakeServer,
  secret: string,
  env: Record<string, string> = {},
  /** Runs the sidecar through another command (a new PID namespace): gets the sidecar's argv, gives the one to run. */
  wrap: (argv: string[]) => string[] = (argv) => argv,
): Promise<SidecarProcess> {
  const dataDir = await workDir(t, 'sidecar-data');
  const [command = '', ...args] = wrap([
    process.execPath,
    ...TYPESCRIPT_NODE_ARGS,
    `${PROJECT_ROOT}/sidecar/main.ts`,
  ]);
  const sidecar = startProcess(t, command, args, {
    env: {
      FURNACE_SERVER_URL: server.url,
      FURNACE_REGISTRATION_SECRET: secret,
      FURNACE_POD_NAMESPACE: 'local',
      FURNACE_POD_NAME: 'test-host',
      FURNACE_SIDECAR_PORT: '0',
      FURNACE_SIDECAR_TLS_PORT: '0',
      FURNACE_SIDECAR_DATA: dataDir,
      ...env,
    },
  });
  const registration = await Promise.race([server.registered, sidecar.exited.then(() => undefined)]);
  if (registration === undefined) {
    throw new Error(`the sidecar exited before it registered:\n${sidecar.output()}`);
  }
  const host = env.FURNACE_POD_IP ?? '127.0.0.1';
  const base = `http://${host}:${registration.port}`;
  const tlsBase = `https://${host}:${registration.tlsPort}`;
  const call: SidecarProcess['call'] = async (method, path, body, token = server.proxyToken) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const { status, body: text } = await callPinned(`${tlsBase}${path}`, registration.tlsPin, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status, json, text };
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
  const start: SidecarProcess['start'] = async (body) => {
    const answer = await call('POST', '/recordings', body);
    assert.equal(answer.status, 202, answer.text);
    return answer.json as RecordingStatus;
  };
  const record: SidecarProcess['record'] = async (body) => waitFor((await start(body)).id, finished);
  const artifact: SidecarProcess['artifact'] = async (id, name) =>
    (await call('GET', `/recordings/${id}/artifacts/${name}`)).text;
  return { child: sidecar.child, stop: sidecar.stop, base, tlsBase, call, waitFor, start, record, artifact };
}

/** An artifact the sidecar must serve (asserting 200 OK), as text. */
export async function servedArtifact(sidecar: SidecarProcess, id: string, name: string): Promise<string> {
  const answer = await sidecar.call('GET', `/recordings/${id}/artifacts/${name}`);
  assert.equal(answer.status, 200, `${name}: ${answer.text}`);
  return answer.text;
}

/** Asserts that the finished recording has each of these artifacts. */
export function assertArtifacts(status: RecordingStatus, names: string[]): void {
  for (const name of names)
    assert.ok(status.artifacts.includes(name as never), `${name} in ${status.artifacts.join(', ')}`);
}

/** A fake registration server that accepts `secret`, and the real sidecar registered with it. */
export async function startRegisteredSidecar(
  t: TestContext,
  secret: string,
  env: Record<string, string> = {},
  wrap?: (argv: string[]) => string[],
): Promise<{ server: FakeServer; sidecar: SidecarProcess }> {
  const server = await startFakeRegistrationServer(t, secret);
  return { server, sidecar: await startSidecar(t, server, secret, env, wrap) };
}

/** Runs a command as a pod "container": own mount namespace, private /tmp, the kubelet's termination-log mount. */
export async function startContainer(
  t: TestContext,
  dir: string,
  podUid: string,
  name: string,
  command: string[],
): Promise<RunningProcess> {
  // The shell below starts the command, out of the harness's sight: checked against the table here.
  checkCommand(command[0] ?? '', command.slice(1));
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
  const container = startProcess(t, 'unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script]);
  // Ready once the mount is in place and the program has replaced the shell.
  for (;;) {
    const mountinfo = await readFile(`/proc/${container.pid}/mountinfo`, 'utf8').catch(() => '');
    const comm = (await readFile(`/proc/${container.pid}/comm`, 'utf8').catch(() => '')).trim();
    if (mountinfo.includes(`/containers/${name}/`) && comm !== 'sh' && comm !== 'unshare') return container;
    if (container.child.exitCode !== null) throw new Error(`container ${name} exited at once`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
