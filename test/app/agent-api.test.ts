// The node agent's API (sidecar/agent/recorders.ts behind build-sidecar-app.ts): every call needs the
// server's proxy token and a scope; a scope reaches only its pod's processes and recordings; uploads go
// out with the grant of that recording. perf and the node's process table are fakes at their boundary.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, it, type TestContext } from 'node:test';
import {
  AGENT_SCOPE_HEADER,
  decodeAgentScope,
  encodeAgentScope,
  type AgentScope,
} from '../../core/contract/agent-scope.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { readAgentConfig } from '../../sidecar/agent/agent-config.ts';
import { AgentRecorders } from '../../sidecar/agent/recorders.ts';
import { buildSidecarApp } from '../../sidecar/api/build-sidecar-app.ts';
import { createDiskBudget, diskUsage } from '../../sidecar/host/disk-budget.ts';
import type { HttpRequest } from '../../sidecar/server-link/http-client.ts';
import type { ProcessInfo } from '../../sidecar/host/process-select.ts';
import type { CgroupOwnerOf } from '../../sidecar/host/proc-table.ts';
import { eventually } from '../harness/eventually.ts';
import { fakePerf } from './sidecar-fixture.ts';
import { timers } from '../../sidecar/process-support.ts';

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

function scopeOf(pod: 'a' | 'b', uploadToken?: string): AgentScope {
  const [uid, id] = pod === 'a' ? [UID_A, ID_A] : [UID_B, ID_B];
  return {
    namespace: 'shop',
    pod: `web-${pod}`,
    podUid: uid,
    containers: [{ name: 'app', id, image: 'shop:1' }],
    ...(uploadToken ? { uploadToken } : {}),
  };
}

async function agentApp(t: TestContext) {
  const dataDir = await mkdtemp(`${tmpdir()}/furnace-agent-app-`);
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
    newId: () => `rec-${++ids}`,
    selfPid: 999,
    readProcesses: (ownerOf: CgroupOwnerOf) =>
      Promise.resolve(NODE.map(({ info, cgroup }) => ({ ...info, ...ownerOf(cgroup) }))),
    fileSize,
    send: (request) => {
      uploads.push(request);
      return Promise.resolve({ status: 200, body: '{}' });
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
    await rm(dataDir, { recursive: true, force: true });
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
  return { app, call, uploads };
}

describe('the node agent API', () => {
  it('needs the proxy token, then a scope from the server, then an upload grant to start', async (t) => {
    const { app, call } = await agentApp(t);
    const noToken = await app.inject({
      method: 'GET',
      url: '/recordings',
      headers: { [AGENT_SCOPE_HEADER]: encodeAgentScope(scopeOf('a')) },
    });
    assert.equal(noToken.statusCode, 401);
    const noScope = await call('GET', '/recordings', undefined);
    assert.equal(noScope.statusCode, 400);
    assert.match(noScope.body, /x-furnace-scope is invalid: missing/);
    const noGrant = await call('POST', '/recordings', scopeOf('a'), { durationSeconds: 1 });
    assert.equal(noGrant.statusCode, 400);
    assert.match(noGrant.body, /upload token/);
  });

  it("records only the scope pod's processes, shows its recordings to it alone, and uploads with its grant", async (t) => {
    const { call, uploads } = await agentApp(t);
    const otherPod = await call('POST', '/recordings', scopeOf('a', 'grant-a'), {
      pid: 210,
      durationSeconds: 1,
    });
    assert.equal(otherPod.statusCode, 400, "pod B's process is not in pod A's scope");
    assert.match(otherPod.body, /no process matches pid 210 in the containers of pod/);

    const started = await call('POST', '/recordings', scopeOf('a', 'grant-a'), { durationSeconds: 1 });
    assert.equal(started.statusCode, 202, started.body);
    const status = started.json<RecordingStatus>();
    assert.deepEqual(status.targets, [{ pid: 200, comm: 'prog', container: 'app' }]);
    const done = await eventually(
      async () => {
        const polled = (await call('GET', `/recordings/${status.id}`, scopeOf('a'))).json<RecordingStatus>();
        return polled.state === 'done' || polled.state === 'failed' ? polled : undefined;
      },
      10_000,
      'the recording to finish',
    );
    assert.equal(done.state, 'done', done.error);

    assert.equal((await call('GET', `/recordings/${status.id}`, scopeOf('b'))).statusCode, 404);
    assert.deepEqual((await call('GET', '/recordings', scopeOf('b'))).json(), { recordings: [] });
    const artifact = await call('GET', `/recordings/${status.id}/artifacts/stacks.folded`, scopeOf('b'));
    assert.equal(artifact.statusCode, 404, "pod B's scope cannot download pod A's flame graph");

    assert.ok(uploads.length > 0, 'the recording was uploaded');
    for (const upload of uploads) {
      assert.equal(upload.headers?.authorization, 'Bearer grant-a', `${upload.method} ${upload.url}`);
    }
  });
});
