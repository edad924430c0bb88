// The real server in local mode spawns the real sidecar; the recording goes through the server's proxy
// and lands in its catalog (a CPU recording, and an off-CPU one with its profile type).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import type { TestContext } from 'node:test';
import type { CatalogEntry, RecordingStatus } from '../../core/contract/recording.ts';
import { eventually } from '../harness/eventually.ts';
import { buildHotProgram, samplesOf } from '../harness/hot-program.ts';
import { fetchJson } from '../harness/http.ts';
import { localKeyOf } from '../harness/local-server.ts';
import { childPids, startFurnace, startProcess } from '../harness/processes.ts';
import { finished, PERF_ARTIFACTS } from '../harness/recording-status.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { buildWaitingProgram } from '../harness/waiting-program.ts';

/**
 * `server/main.ts --local` on a free loopback port. Stopped by PID with SIGTERM (which stops its sidecar);
 * the sidecar's PID is noted too, and killed if it outlives the server.
 */
async function startLocalServer(t: TestContext): Promise<{ base: string; headers: Record<string, string> }> {
  const dataDir = await workDir(t, 'server-data');
  const server = startFurnace(t, ['server/main.ts', '--local'], {
    FURNACE_PORT: '0',
    FURNACE_DATA_DIR: dataDir,
    FURNACE_LOG_LEVEL: 'warn',
  });
  const sidecars: number[] = [];
  t.after(async () => {
    await server.stop();
    for (const pid of sidecars) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
  });
  // The sidecar inherits the server's stdout, so the end of the server is watched by its exit, not by EOF.
  const url = await eventually(
    () => {
      const match = /listening on (http:\/\/\S+)/.exec(server.output());
      const ended = server.child.exitCode !== null || server.child.signalCode !== null;
      return Promise.resolve(match?.[1] ?? (ended ? '' : undefined));
    },
    60_000,
    'the server to listen',
  );
  if (!url) throw new Error(`the server did not start:\n${server.output()}`);
  sidecars.push(...(await childPids(server.pid)));
  return { base: url, headers: (await localKeyOf(dataDir)).headers };
}

/** The local server with its sidecar registered: the proxy's base for this host's pod. */
async function registeredLocalServer(t: TestContext) {
  const { base, headers } = await startLocalServer(t);
  const pod = hostname();
  await eventually(
    async () => {
      const { body } = await fetchJson<{ items: { namespace: string; pod: string }[] }>(
        `${base}/api/v1/sidecars`,
        { headers },
      );
      return body.items.some((item) => item.namespace === 'local' && item.pod === pod) ? true : undefined;
    },
    60_000,
    'the local sidecar to register',
  );
  return { base, headers, pod, proxy: `${base}/proxy/local/${pod}` };
}

/** Starts a recording through the proxy and waits until it has finished; its last status. */
async function recordThroughProxy(proxy: string, headers: Record<string, string>, body: object) {
  const started = await fetchJson<RecordingStatus>(`${proxy}/recordings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const { id } = started.body;
  return eventually(
    async () => {
      const answer = await fetchJson<RecordingStatus>(`${proxy}/recordings/${id}`, { headers });
      return answer.status !== 200 || finished(answer.body) ? answer : undefined;
    },
    120_000,
    'the recording to finish',
    200,
  );
}

describe('sidecar with the real server in local mode', () => {
  it('records through the proxy and uploads every artifact to the catalog', async (t) => {
    const { base, headers, pod, proxy } = await registeredLocalServer(t);
    const dir = await workDir(t, 'with-server');
    const program = await buildHotProgram(dir);
    const target = startProcess(t, program, ['120']);
    const polled = await recordThroughProxy(proxy, headers, {
      pid: target.pid,
      durationSeconds: 3,
      frequency: 299,
    });
    const { id } = polled.body;
    assert.equal(polled.status, 200, JSON.stringify(polled.body));
    const status = polled.body;
    assert.equal(status.state, 'done', status.error);
    assert.equal(status.warnings, undefined, JSON.stringify(status.warnings));

    const entry = await fetchJson<{
      namespace: string;
      pod: string;
      artifacts: { name: string; bytes: number }[];
    }>(`${base}/api/v1/recordings/${id}`, { headers });
    assert.equal(entry.status, 200);
    assert.equal(entry.body.namespace, 'local');
    assert.equal(entry.body.pod, pod);
    assert.deepEqual(entry.body.artifacts.map((a) => a.name).sort(), PERF_ARTIFACTS);
    const folded = await (
      await fetch(`${base}/api/v1/recordings/${id}/artifacts/stacks.folded`, { headers })
    ).text();
    assert.ok(samplesOf(folded, 'furnace_light') > 0 && samplesOf(folded, 'furnace_heavy') > 0, folded);
  });

  it('records offcpu through the proxy: the catalog entry says profile offcpu, profiler sched', async (t) => {
    const { base, headers, proxy } = await registeredLocalServer(t);
    const dir = await workDir(t, 'with-server-offcpu');
    const target = startProcess(t, await buildWaitingProgram(dir, 'fwait_server'), ['120', 'srv']);
    const polled = await recordThroughProxy(proxy, headers, {
      profile: 'offcpu',
      pid: target.pid,
      durationSeconds: 3,
    });
    assert.equal(polled.body.state, 'done', polled.body.error);
    const { id } = polled.body;
    const entry = await eventually(
      async () => {
        const answer = await fetchJson<CatalogEntry>(`${base}/api/v1/recordings/${id}`, { headers });
        return answer.status === 200 && answer.body.state === 'done' ? answer.body : undefined;
      },
      60_000,
      'the catalog entry',
    );
    assert.equal(entry.params.profile, 'offcpu');
    assert.equal(entry.profiler, 'sched');
    const folded = await (
      await fetch(`${base}/api/v1/recordings/${id}/artifacts/stacks.folded`, { headers })
    ).text();
    assert.match(folded, /^srv_read;.*;ksys_read;.* \d+$/m, folded);
  });
});
