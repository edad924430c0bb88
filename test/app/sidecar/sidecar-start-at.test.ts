// A start asked ahead (`startAt`) through the sidecar's API: the recording is listed at once and says it waits;
// perf is started at once (it switches its events on at that instant itself), other profilers run when it
// comes, and a stop before then ends the recording with no samples, saying so.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import type { Profiler, ProfilerRun, ProfileOutput } from '../../../sidecar/profilers/profiler.ts';
import { eventually } from '../../harness/eventually.ts';
import { auth, sidecarFixture } from './sidecar-fixture.ts';

/**
 * A fake pprof profiler (the boundary: no Go program to fetch a profile from here): it notes when it is run,
 * and its run ends on a stop with one stack.
 */
function fakePprof(): { profiler: Profiler; runs: number[] } {
  const runs: number[] = [];
  const profiler: Profiler = {
    plan: () =>
      Promise.resolve({
        profiler: 'pprof',
        targets: [],
        warnings: [],
        run: (): ProfilerRun => {
          runs.push(Date.now());
          let end: (output: ProfileOutput) => void = () => undefined;
          const done = new Promise<ProfileOutput>((resolve) => (end = resolve));
          const stop = () => end({ stacks: new Map([['main;work', 5]]), subtitle: 'fake', ended: 'stopped' });
          return { stop, done };
        },
      }),
  };
  return { profiler, runs };
}

describe('sidecar start asked ahead (startAt)', () => {
  it('lists a perf recording at once, dated at startAt and waiting (startsAt, progress 0), perf started', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const startAt = new Date(Date.now() + 30_000).toISOString();
    const started = await fixture.start({ pid: 200, durationSeconds: 5, startAt });
    assert.equal(started.statusCode, 202, started.body);
    const status = started.json<RecordingStatus>();
    assert.equal(status.state, 'recording');
    assert.equal(status.startedAt, startAt);
    assert.equal(status.startsAt, startAt);
    assert.equal(status.progress, 0);
    assert.equal(status.params.startAt, startAt);
    assert.equal(fixture.perf.records.length, 1, 'perf is started ahead, its events off until startAt');
    const read = await fixture.read(status.id);
    assert.equal(read.startsAt, startAt);
    await fixture.app.inject({ method: 'POST', url: `/recordings/${status.id}/stop`, headers: auth });
    await fixture.controller.settled();
  });

  it('refuses a start 601 s ahead with a 400 naming startAt and the limit', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const startAt = new Date(Date.now() + 601_000).toISOString();
    const refused = await fixture.start({ pid: 200, startAt });
    assert.equal(refused.statusCode, 400);
    const body = refused.json<{ code: string; message: string }>();
    assert.equal(body.code, 'ERR_LIMIT_EXCEEDED');
    assert.match(body.message, /startAt .* ahead: must be at most MAX_START_AHEAD_SECONDS \(600 s\) ahead/);
    assert.equal(fixture.perf.records.length, 0);
  });

  it('runs another profiler when startAt comes, not before', async (t) => {
    const fake = fakePprof();
    const fixture = await sidecarFixture({}, { profilers: () => ({ pprof: fake.profiler }) });
    t.after(() => fixture.close());
    const at = Date.now() + 400;
    const started = await fixture.start({ profiler: 'pprof', startAt: new Date(at).toISOString() });
    assert.equal(started.statusCode, 202, started.body);
    const { id } = started.json<RecordingStatus>();
    // Run once, and not before startAt (the start's answer itself may come after it on a loaded machine).
    await eventually(() => Promise.resolve(fake.runs.length > 0 || undefined), 10_000, 'the profiler run');
    assert.equal(fake.runs.length, 1);
    assert.ok((fake.runs[0] ?? 0) >= at - 5, `run at ${fake.runs[0]}, asked for ${at}: not before startAt`);
    const running = await fixture.read(id);
    assert.equal(running.startsAt, undefined, 'no longer waiting');
    const startedAt = Date.parse(running.startedAt);
    assert.ok(startedAt >= at && startedAt <= (fake.runs[0] ?? 0), 'dated when the profiler was run');
    await fixture.app.inject({ method: 'POST', url: `/recordings/${id}/stop`, headers: auth });
    await fixture.controller.settled();
    const done = await fixture.read(id);
    assert.equal(done.state, 'done');
    assert.equal(done.samples, 5);
  });

  it('ends a recording stopped before its start with 0 samples and says so in words', async (t) => {
    const fake = fakePprof();
    const fixture = await sidecarFixture({}, { profilers: () => ({ pprof: fake.profiler }) });
    t.after(() => fixture.close());
    const startAt = new Date(Date.now() + 60_000).toISOString();
    const started = await fixture.start({ profiler: 'pprof', startAt });
    const { id } = started.json<RecordingStatus>();
    const stopped = await fixture.app.inject({
      method: 'POST',
      url: `/recordings/${id}/stop`,
      headers: auth,
    });
    assert.equal(stopped.statusCode, 200, stopped.body);
    await fixture.controller.settled();
    const status = await fixture.read(id);
    assert.equal(status.state, 'done', status.error);
    assert.equal(status.samples, 0);
    assert.equal(status.endReason, 'stopped on request before its start time: nothing was sampled');
    assert.equal(status.startsAt, undefined);
    assert.equal(status.startedAt, status.endedAt, 'it spans no time: it began where it ended');
    assert.equal(fake.runs.length, 0, 'the profiler never ran');
  });
});
