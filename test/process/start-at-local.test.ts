// A start asked ahead (`startAt`) in local mode: the real server, its local sidecar and real perf recording a
// C program. The recording is listed at once and says it waits; perf, started with its events off, samples
// from startAt for durationSeconds; a stop before startAt ends it done with 0 samples, saying so.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { eventually } from '../harness/eventually.ts';
import { runHotProgram } from '../harness/hot-program.ts';
import { fetchJson } from '../harness/http.ts';
import { localKeyOf } from '../harness/local-server.ts';
import { freePort } from '../harness/ports.ts';
import { startFurnace } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { HOSTNAME } from './server-processes.ts';

interface Local {
  status(id: string): Promise<RecordingStatus>;
  start(body: object): Promise<RecordingStatus>;
  stop(id: string): Promise<void>;
  done(id: string): Promise<RecordingStatus>;
  folded(id: string): Promise<string>;
}

/** The server in local mode with its sidecar registered, and calls through its proxy. */
async function localFurnace(t: TestContext): Promise<Local> {
  const dir = await tempDir(t, 'furnace-start-at-');
  const port = await freePort();
  const server = startFurnace(t, ['server/main.ts', '--local'], {
    FURNACE_PORT: String(port),
    FURNACE_DATA_DIR: `${dir}/data`,
  });
  const base = `http://127.0.0.1:${port}`;
  await eventually(() => Promise.resolve(server.output().includes(base) || undefined), 60_000, 'the URL');
  const { headers } = await localKeyOf(`${dir}/data`);
  const proxy = `${base}/proxy/local/${HOSTNAME}/recordings`;
  await eventually(
    async () => ((await fetchJson(proxy, { headers })).status === 200 ? true : undefined),
    60_000,
    'the local sidecar to register',
  );
  const status = async (id: string) => (await fetchJson<RecordingStatus>(`${proxy}/${id}`, { headers })).body;
  return {
    status,
    async start(body) {
      const started = await fetchJson<RecordingStatus>(proxy, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      return started.body;
    },
    async stop(id) {
      const stopped = await fetchJson(`${proxy}/${id}/stop`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
      });
      assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    },
    done: (id) =>
      eventually(
        async () => {
          const now = await status(id);
          if (now.state === 'failed') throw new Error(`recording failed: ${now.error}`);
          return now.state === 'done' ? now : undefined;
        },
        60_000,
        'the recording to be done',
      ),
    folded: async (id) => (await fetch(`${proxy}/${id}/artifacts/stacks.folded`, { headers })).text(),
  };
}

describe('a start asked ahead (startAt), local mode with real perf', () => {
  it('waits, then samples from startAt for its duration; a stop before the start keeps 0 samples', async (t) => {
    const furnace = await localFurnace(t);
    const dir = await tempDir(t, 'furnace-start-at-program-');
    const program = await runHotProgram(t, dir);

    const startAt = new Date(Date.now() + 4000).toISOString();
    const started = await furnace.start({
      processPattern: program,
      durationSeconds: 2,
      frequency: 199,
      startAt,
    });
    assert.equal(started.startedAt, startAt);
    assert.equal(started.startsAt, startAt, 'it says it waits');
    assert.equal(started.progress, 0);
    const done = await furnace.done(started.id);
    // Dated at its real start of sampling: perf's ack of `enable`, written at startAt.
    const lag = Date.parse(done.startedAt) - Date.parse(startAt);
    assert.ok(lag >= 0 && lag < 1000, `sampling began ${lag} ms after startAt`);
    assert.equal(done.startsAt, undefined);
    assert.equal(done.endReason, 'the duration was reached (2 s)');
    const sampled = (Date.parse(done.endedAt ?? '') - Date.parse(done.startedAt)) / 1000;
    assert.ok(sampled >= 2 && sampled < 3, `sampled for ${sampled} s`);
    assert.ok((done.samples ?? 0) > 0, 'samples taken');
    assert.match(await furnace.folded(done.id), /furnace_light/);

    const later = new Date(Date.now() + 60_000).toISOString();
    const waiting = await furnace.start({ processPattern: program, durationSeconds: 2, startAt: later });
    assert.equal((await furnace.status(waiting.id)).startsAt, later);
    await furnace.stop(waiting.id);
    const stopped = await furnace.done(waiting.id);
    assert.equal(stopped.samples, 0);
    assert.equal(stopped.endReason, 'stopped on request before its start time: nothing was sampled');
    assert.equal(stopped.startedAt, stopped.endedAt, 'it spans no time');
  });
});
