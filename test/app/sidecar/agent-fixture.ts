// The node agent's recorders (sidecar/agent/recorders.ts) behind build-sidecar-app.ts, as the app tier
// runs them: perf and the node's process table are fakes at their boundary, and so is the server the
// uploads go to (every upload taken, unless the test says otherwise).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { TestContext } from 'node:test';
import {
  AGENT_SCOPE_HEADER,
  decodeAgentScope,
  encodeAgentScope,
  type AgentScope,
} from '../../../core/contract/agent-scope.ts';
import { readAgentConfig } from '../../../sidecar/agent/agent-config.ts';
import { AgentRecorders } from '../../../sidecar/agent/recorders.ts';
import { buildSidecarApp } from '../../../sidecar/api/build-sidecar-app.ts';
import { createDiskBudget, diskUsage } from '../../../sidecar/host/disk-budget.ts';
import type { HttpRequest, HttpSend } from '../../../sidecar/server-link/http-client.ts';
import type { ProcessInfo } from '../../../sidecar/host/process-select.ts';
import type { CgroupOwnerOf } from '../../../sidecar/host/proc-table.ts';
import { fakePerf } from './sidecar-fixture.ts';
import { timers } from '../../../sidecar/process-support.ts';

const TOKEN = 'agent-proxy-token';
const UID_A = '1e1e1e1e-0000-4000-8000-000000000001';
const UID_B = '2f2f2f2f-0000-4000-8000-000000000002';
const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
const cgroup = (uid: string, id: string) =>
  `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid.replace(/-/g, '_')}.slice/cri-containerd-${id}.scope\n`;

/** The node: pod A's app (pid 200), pod B's app (pid 210), a host daemon (pid 50). */
const NODE: { info: ProcessInfo; cgroup: string }[] = [
  {
    info: { pid: 50, ppid: 1, comm: 'sshd', cmdline: '/usr/sbin/sshd', nspid: 50 },
    cgroup: '0::/system.slice/ssh.service\n',
  },
  {
    info: { pid: 200, ppid: 1, comm: 'prog', cmdline: '/opt/prog a', nspid: 7 },
    cgroup: cgroup(UID_A, ID_A),
  },
  {
    info: { pid: 210, ppid: 1, comm: 'prog', cmdline: '/opt/prog b', nspid: 7 },
    cgroup: cgroup(UID_B, ID_B),
  },
];

export function scopeOf(pod: 'a' | 'b', uploadToken?: string): AgentScope {
  const [uid, id] = pod === 'a' ? [UID_A, ID_A] : [UID_B, ID_B];
  return {
    namespace: 'shop',
    pod: `web-${pod}`,
    podUid: uid,
    containers: [{ name: 'app', id, image: 'shop:1' }],
    ...(uploadToken ? { uploadToken } : {}),
  };
}

export interface AgentAppOptions {
  /** The data directory (a previous run's, to restart on it); a new one, removed afterwards, by default. */
  dataDir?: string;
  /** The server at the boundary; by default every upload is taken. */
  send?: HttpSend;
}

/** The agent's recorders behind its API, as agent/main.ts builds them, with fakes at perf and /proc. */
export async function agentApp(t: TestContext, options: AgentAppOptions = {}) {
  const dataDir = options.dataDir ?? (await mkdtemp(`${tmpdir()}/furnace-agent-app-`));
  const config = readAgentConfig(
    {
      FURNACE_SERVER_URL: 'https://server.test:8081',
      FURNACE_TOKEN_PATH: '/unused',
      FURNACE_NODE_NAME: 'node-a',
      FURNACE_SIDECAR_DATA: dataDir,
    },
    { hostname: 'node-a', tmpDir: tmpdir() },
  );
  const uploads: HttpRequest[] = [];
  let ids = 0;
  const fileSize = (path: string) =>
    stat(path).then(
      (s) => s.size,
      () => 0,
    );
  const recorders = new AgentRecorders({
    config,
    budget: createDiskBudget(dataDir, config.diskBudgetBytes, { usage: diskUsage, size: fileSize }),
    spawn: fakePerf().spawn,
    run: () => Promise.resolve({ code: 1, stdout: '', stderr: 'unused' }),
    timers,
    newId: () => `rec-${process.hrtime.bigint()}-${++ids}`,
    selfPid: 999,
    readProcesses: (ownerOf: CgroupOwnerOf) =>
      Promise.resolve(NODE.map(({ info, cgroup }) => ({ ...info, ...ownerOf(cgroup) }))),
    fileSize,
    send: (request) => {
      uploads.push(request);
      return options.send?.(request) ?? Promise.resolve({ status: 200, body: '{}' });
    },
    sleep: () => Promise.resolve(),
    random: () => 0.5,
    log: () => {},
    buildIdMmap: false,
  });
  const app = buildSidecarApp({
    recordings: (request) => recorders.for(decodeAgentScope(request.headers[AGENT_SCOPE_HEADER])),
    limits: config.limits,
    isAcceptedToken: (token) => token === TOKEN,
    isRegistered: () => true,
  });
  t.after(async () => {
    await recorders.close();
    await app.close();
    if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
  });
  const call = (method: 'GET' | 'POST', url: string, scope: AgentScope | undefined, payload?: object) =>
    app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(scope ? { [AGENT_SCOPE_HEADER]: encodeAgentScope(scope) } : {}),
      },
      ...(payload ? { payload } : {}),
    });
  return { app, call, uploads, recorders, dataDir };
}
