import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import { validateRecordingParams } from '../../../core/contract/recording-params.ts';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import {
  applyEvent,
  assertIdle,
  beginRecording,
  overallProgress,
  TransitionError,
  withLiveProgress,
  type StatusEvent,
} from '../../../sidecar/recording/recording-machine.ts';

const start = new Date('2026-01-01T00:00:00Z');
const params = validateRecordingParams({ durationSeconds: 10, pid: 42 }, DEFAULT_LIMITS);

function fresh(id = 'r1'): RecordingStatus {
  return beginRecording({ id, params, targets: [{ pid: 42, comm: 'app' }], now: start });
}

function run(status: RecordingStatus, events: StatusEvent[]): RecordingStatus {
  return events.reduce(applyEvent, status);
}

const through: StatusEvent[] = [
  { type: 'stage', stage: 'script' },
  { type: 'stage', stage: 'collapse' },
  { type: 'samples', samples: 120 },
  { type: 'stage', stage: 'render' },
  { type: 'artifact', name: 'flamegraph.svg' },
  { type: 'stage', stage: 'upload' },
];

describe('recording state machine', () => {
  it('starts in recording, stage record, with no progress and no artifacts', () => {
    const status = fresh();
    assert.equal(status.state, 'recording');
    assert.equal(status.stage, 'record');
    assert.equal(status.progress, 0);
    assert.deepEqual(status.artifacts, []);
    assert.equal(status.startedAt, '2026-01-01T00:00:00.000Z');
  });

  it('goes recording → processing through every stage → done, with progress rising to 1', () => {
    let status = fresh();
    const seen: number[] = [];
    for (const event of through) {
      status = applyEvent(status, event);
      seen.push(status.progress);
    }
    assert.equal(status.state, 'processing');
    assert.equal(status.stage, 'upload');
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      seen,
      'progress never goes back',
    );
    status = applyEvent(status, { type: 'done', at: new Date('2026-01-01T00:00:12Z') });
    assert.equal(status.state, 'done');
    assert.equal(status.stage, undefined, 'a done recording names no stage (none is still running)');
    assert.equal(status.progress, 1);
    assert.equal(status.samples, 120);
    assert.deepEqual(status.artifacts, ['flamegraph.svg']);
    assert.equal(status.endedAt, '2026-01-01T00:00:12.000Z');
  });

  it('fails from recording or processing and keeps the error text', () => {
    const failed = applyEvent(fresh(), { type: 'failed', error: 'perf: No such process', at: start });
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error, 'perf: No such process');
    const late = run(fresh(), [
      { type: 'stage', stage: 'script' },
      { type: 'failed', error: 'x', at: start },
    ]);
    assert.equal(late.state, 'failed');
    assert.equal(late.stage, 'script');
  });

  it('refuses events that the state does not allow', () => {
    assert.throws(() => applyEvent(fresh(), { type: 'done', at: start }), TransitionError);
    const done = run(fresh(), [...through, { type: 'done', at: start }]);
    assert.throws(() => applyEvent(done, { type: 'failed', error: 'late', at: start }), TransitionError);
    assert.throws(() => applyEvent(done, { type: 'stage', stage: 'upload' }), TransitionError);
    const processing = applyEvent(fresh(), { type: 'stage', stage: 'render' });
    assert.throws(() => applyEvent(processing, { type: 'stage', stage: 'script' }), /not allowed/);
  });

  it('lets a stage be skipped (no upload without a server) but never repeated', () => {
    const status = run(fresh(), [
      { type: 'stage', stage: 'script' },
      { type: 'stage', stage: 'render' },
      { type: 'done', at: start },
    ]);
    assert.equal(status.state, 'done');
  });

  it('keeps warnings in order and artifacts without duplicates', () => {
    const status = run(fresh(), [
      { type: 'warning', message: 'one' },
      { type: 'artifact', name: 'perf.data' },
      { type: 'artifact', name: 'perf.data' },
      { type: 'warning', message: 'two' },
    ]);
    assert.deepEqual(status.warnings, ['one', 'two']);
    assert.deepEqual(status.artifacts, ['perf.data']);
  });

  it('computes record progress from the clock and clamps it', () => {
    const half = withLiveProgress(fresh(), new Date(start.getTime() + 5000));
    assert.equal(half.progress, overallProgress('record', 0.5));
    const over = withLiveProgress(fresh(), new Date(start.getTime() + 60_000));
    assert.equal(over.progress, overallProgress('record', 1));
    assert.ok(over.progress <= overallProgress('script', 0));
  });

  it('dates a start asked ahead at its startAt and says it waits (startsAt) with progress 0 until then', () => {
    const ahead = validateRecordingParams(
      { durationSeconds: 10, pid: 42, startAt: '2026-01-01T00:00:05Z' },
      DEFAULT_LIMITS,
      start.getTime(),
    );
    const status = beginRecording({ id: 'r1', params: ahead, targets: [], now: start });
    assert.equal(status.startedAt, '2026-01-01T00:00:05.000Z');
    const waiting = withLiveProgress(status, new Date('2026-01-01T00:00:03Z'));
    assert.equal(waiting.startsAt, '2026-01-01T00:00:05.000Z');
    assert.equal(waiting.progress, 0);
    const sampling = withLiveProgress(waiting, new Date('2026-01-01T00:00:10Z'));
    assert.equal(sampling.startsAt, undefined, 'said only while it waits');
    assert.equal(sampling.progress, overallProgress('record', 0.5));
  });

  it('dates a recording at its real start of sampling once the profiler says it began (sampling)', () => {
    const began = new Date('2026-01-01T00:00:00.480Z');
    const sampling = applyEvent(fresh(), { type: 'sampling', at: began });
    assert.equal(sampling.startedAt, began.toISOString());
    assert.equal(
      withLiveProgress(sampling, new Date('2026-01-01T00:00:00.400Z')).startsAt,
      began.toISOString(),
    );
    const processing = applyEvent(sampling, { type: 'stage', stage: 'script' });
    assert.throws(() => applyEvent(processing, { type: 'sampling', at: began }), TransitionError);
  });

  it('dates a start whose startAt has passed now: a past one means now', () => {
    const past = validateRecordingParams({ pid: 42, startAt: '2025-12-31T23:00:00Z' }, DEFAULT_LIMITS);
    const status = beginRecording({ id: 'r1', params: past, targets: [], now: start });
    assert.equal(status.startedAt, start.toISOString());
    assert.equal(withLiveProgress(status, start).startsAt, undefined);
  });

  it('allows one recording at a time: a second start is refused with 409 naming the running id', () => {
    assert.doesNotThrow(() => assertIdle([]));
    const done = run(fresh('old'), [...through, { type: 'done', at: start }]);
    assert.doesNotThrow(() => assertIdle([done]));
    for (const running of [fresh('busy'), applyEvent(fresh('busy'), { type: 'stage', stage: 'collapse' })]) {
      assert.throws(
        () => assertIdle([done, running]),
        (error: unknown) =>
          error instanceof FurnaceError &&
          error.code === 'ERR_RECORDING_RUNNING' &&
          error.status === 409 &&
          error.message.includes('busy') &&
          error.details.id === 'busy',
      );
    }
  });
});
