// Ctrl-C during a recording (issue 44): local mode runs as a terminal runs `npm start`, the leader of
// its own process group with the local sidecar, perf record and the perf script started ahead inside it;
// 5 s into a 20 s recording the whole group gets SIGINT, as a terminal sends it. The recording in flight
// is finished (or kept for the next start), never failed: after a restart its entry is done, with a flame
// graph of what was sampled until the Ctrl-C.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../harness/eventually.ts';
import { runHotProgram } from '../harness/hot-program.ts';
import { fetchJson } from '../harness/http.ts';
import { localKeyOf, localSidecarRegistered } from '../harness/local-server.ts';
import { freePort } from '../harness/ports.ts';
import { startProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { HOSTNAME } from './server-processes.ts';

interface Entry {
  state: string;
  error?: string;
  endReason?: string;
  artifacts: { name: string }[];
}

/** Whether any process of group `pgid` is left. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('local mode and Ctrl-C', () => {
  it('a recording in flight when the terminal sends SIGINT to the process group is finished, not failed', async (t) => {
    const dir = await tempDir(t, 'furnace-ctrl-c-');
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = { FURNACE_PORT: String(port), FURNACE_DATA_DIR: `${dir}/data`, FURNACE_LOG_LEVEL: 'warn' };
    const start = (processGroup: boolean) =>
      startProcess(t, process.execPath, ['--import', 'tsx', 'server/main.ts', '--local'], {
        env,
        cleanEnv: true,
        cwd: PROJECT_ROOT,
        processGroup,
      });
    const program = await runHotProgram(t, dir, 120, 50);
    const first = start(true);
    await eventually(
      () => Promise.resolve(first.output().includes(baseUrl) || undefined),
      60_000,
      'the server to listen',
      250,
    );
    const { headers } = await localKeyOf(`${dir}/data`);
    await localSidecarRegistered(baseUrl, headers, 60_000, 'the local sidecar to register');
    const started = await fetchJson<{ id: string; state: string }>(
      `${baseUrl}/proxy/local/${HOSTNAME}/recordings`,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ processPattern: program, durationSeconds: 20, frequency: 199 }),
      },
    );
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const id = started.body.id;
    await sleep(5000);

    first.interrupt();
    await first.exited;
    await eventually(
      () => Promise.resolve(!groupAlive(first.pid) || undefined),
      30_000,
      'every process of the group to exit',
    );
    assert.doesNotMatch(first.output(), /failed/, first.output());

    start(false);
    await eventually(
      async () => ((await fetch(`${baseUrl}/readyz`).catch(() => undefined))?.ok ? true : undefined),
      60_000,
      'the restarted server',
      250,
    );
    const entry = await eventually(
      async () => {
        const answer = await fetchJson<Entry>(`${baseUrl}/api/v1/recordings/${id}`, { headers });
        return answer.status === 200 &&
          answer.body.state !== 'recording' &&
          answer.body.state !== 'processing'
          ? answer.body
          : undefined;
      },
      60_000,
      'the recording in the catalog',
      500,
    );
    assert.equal(entry.state, 'done', JSON.stringify(entry));
    assert.ok(
      entry.artifacts.some((a) => a.name === 'flamegraph.svg'),
      JSON.stringify(entry.artifacts),
    );
    const svg = await fetch(`${baseUrl}/api/v1/recordings/${id}/artifacts/flamegraph.svg`, { headers });
    assert.match(await svg.text(), /furnace_heavy/);
  });
});
