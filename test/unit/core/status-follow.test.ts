// The loop that follows a recording to its end with status reads that wait (core/contract/status-follow.ts),
// on a fake clock and a scripted recorder: which wait each read asks for, that the end comes back with the
// read it ends (no poll after), that a recorder ignoring the wait is polled at the old period, that a failed
// waiting read falls back to plain polls for good, and that a 404 is passed on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FINAL_WAIT_SECONDS,
  followToEnd,
  nextWaitSeconds,
  POLL_MS,
  PROGRESS_WAIT_SECONDS,
  readWaitingOrPoll,
  type StatusReads,
} from '../../../core/contract/status-follow.ts';
import { MAX_STATUS_WAIT_SECONDS } from '../../../core/contract/status-wait.ts';

interface Status {
  state: 'recording' | 'processing' | 'done' | 'failed';
  at: number;
}

class NotFound extends Error {}

/**
 * A fake clock and a scripted recorder: the recording records until `endsAt`, processes for `processMs`, then
 * is done. A waiting read is held until the end or its wait (as the recorder does) unless `ignoresWait`;
 * `failWaits` makes every waiting read fail after `failAfterMs`.
 */
function scripted(options: {
  endsAt: number;
  processMs?: number;
  ignoresWait?: boolean;
  failWaits?: Error;
  failAfterMs?: number;
}) {
  let now = 0;
  const calls: string[] = [];
  const doneAt = options.endsAt + (options.processMs ?? 300);
  const statusNow = (): Status => ({
    state: now >= doneAt ? 'done' : now >= options.endsAt ? 'processing' : 'recording',
    at: now,
  });
  const clock = {
    now: () => now,
    sleep: (ms: number) => {
      calls.push(`sleep ${ms}`);
      now += ms;
      return Promise.resolve();
    },
  };
  const reads: StatusReads<Status> = {
    poll: () => {
      calls.push(`poll @${now}`);
      return Promise.resolve(statusNow());
    },
    wait: (seconds) => {
      calls.push(`wait ${seconds} @${now}`);
      if (options.failWaits) {
        now += options.failAfterMs ?? 0;
        return Promise.reject(options.failWaits);
      }
      if (!options.ignoresWait) now = Math.max(now, Math.min(now + seconds * 1000, doneAt));
      return Promise.resolve(statusNow());
    },
    isNotFound: (error) => error instanceof NotFound,
  };
  return { clock, reads, calls, doneAt, now: () => now };
}

describe('the wait each status read asks for', () => {
  it('waits a few seconds while the recording has long to run, then once for its end and processing', () => {
    assert.equal(nextWaitSeconds(0, 30_000), PROGRESS_WAIT_SECONDS);
    const lastShort = 30_000 - (PROGRESS_WAIT_SECONDS * 1000 + 1000);
    assert.equal(nextWaitSeconds(lastShort - 1, 30_000), PROGRESS_WAIT_SECONDS);
    assert.equal(nextWaitSeconds(lastShort, 30_000), 3 + FINAL_WAIT_SECONDS, 'from 3 s before the end');
    assert.equal(nextWaitSeconds(29_500, 30_000), 1 + FINAL_WAIT_SECONDS);
    assert.equal(nextWaitSeconds(31_000, 30_000), FINAL_WAIT_SECONDS, 'past the end: processing');
    assert.equal(nextWaitSeconds(0, 0), FINAL_WAIT_SECONDS);
  });

  it('never asks for more than the recorder grants, nor less than a second', () => {
    for (const [now, endsAt] of [
      [0, 1],
      [0, 3999],
      [0, 60 * 60_000],
      [10_000, 0],
    ] as const) {
      const seconds = nextWaitSeconds(now, endsAt);
      assert.ok(seconds >= 1 && seconds <= MAX_STATUS_WAIT_SECONDS, `${now} → ${endsAt}: ${seconds}`);
      assert.ok(Number.isInteger(seconds));
    }
  });
});

describe('following a recording to its end', () => {
  it('returns the end with the read that waited for it: no sleep, no poll', async () => {
    const recorder = scripted({ endsAt: 10_000, processMs: 420 });
    const seen: string[] = [];
    const status = await followToEnd(
      { state: 'recording', at: 0 },
      {
        reads: recorder.reads,
        clock: recorder.clock,
        endsAt: 10_000,
        onStatus: (s) => void seen.push(`${s.state}@${s.at}`),
      },
    );
    assert.equal(status.state, 'done');
    assert.equal(recorder.now(), recorder.doneAt, 'learnt when it was done, not later');
    assert.deepEqual(recorder.calls, [
      'wait 2 @0',
      'wait 2 @2000',
      'wait 2 @4000',
      'wait 2 @6000',
      'wait 7 @8000',
    ]);
    assert.deepEqual(seen, [
      'recording@0',
      'recording@2000',
      'recording@4000',
      'recording@6000',
      'recording@8000',
    ]);
  });

  it('polls a recorder that ignores the wait once a second, as before, until it is done', async () => {
    const recorder = scripted({ endsAt: 3000, processMs: 500, ignoresWait: true });
    const status = await followToEnd(
      { state: 'recording', at: 0 },
      { reads: recorder.reads, clock: recorder.clock, endsAt: 3000 },
    );
    assert.equal(status.state, 'done');
    assert.deepEqual(recorder.calls, [
      'wait 8 @0',
      `sleep ${POLL_MS}`,
      'wait 7 @1000',
      `sleep ${POLL_MS}`,
      'wait 6 @2000',
      `sleep ${POLL_MS}`,
      'wait 5 @3000',
      `sleep ${POLL_MS}`,
      'wait 5 @4000',
    ]);
  });

  it('falls back to plain polls for the rest of the recording when a waiting read fails', async () => {
    const cut = new Error('the API server answered 503');
    const recorder = scripted({ endsAt: 2500, failWaits: cut, failAfterMs: 200 });
    const fellBack: unknown[] = [];
    const status = await followToEnd(
      { state: 'recording', at: 0 },
      {
        reads: recorder.reads,
        clock: recorder.clock,
        endsAt: 2500,
        fellBack: (error) => fellBack.push(error),
      },
    );
    assert.equal(status.state, 'done');
    assert.deepEqual(fellBack, [cut], 'told once');
    assert.deepEqual(recorder.calls, [
      'wait 8 @0',
      'poll @200',
      'sleep 800',
      `sleep ${POLL_MS}`,
      'poll @2000',
      `sleep ${POLL_MS}`,
      'poll @3000',
    ]);
  });

  it('passes on a 404 (the pod or the recording is gone) without reading again', async () => {
    const recorder = scripted({ endsAt: 5000, failWaits: new NotFound('no recording rec-1') });
    await assert.rejects(
      followToEnd(
        { state: 'recording', at: 0 },
        { reads: recorder.reads, clock: recorder.clock, endsAt: 5000 },
      ),
      NotFound,
    );
    assert.deepEqual(recorder.calls, ['wait 2 @0']);
  });

  it('reads nothing for a recording that is already over', async () => {
    const recorder = scripted({ endsAt: 0 });
    const failed = { state: 'failed', at: 0 } as const;
    assert.equal(
      await followToEnd(failed, { reads: recorder.reads, clock: recorder.clock, endsAt: 0 }),
      failed,
    );
    assert.deepEqual(recorder.calls, []);
  });
});

describe('one read that waits (the operator’s)', () => {
  it('polls when no wait is asked, falls back on a failure, passes on a 404', async () => {
    const recorder = scripted({ endsAt: 60_000 });
    assert.equal((await readWaitingOrPoll(recorder.reads, undefined)).state, 'recording');
    const failing = scripted({ endsAt: 60_000, failWaits: new Error('cut') });
    const told: string[] = [];
    const status = await readWaitingOrPoll(failing.reads, 5, (e) => told.push((e as Error).message));
    assert.equal(status.state, 'recording');
    assert.deepEqual(told, ['cut']);
    assert.deepEqual(failing.calls, ['wait 5 @0', 'poll @0']);
    const gone = scripted({ endsAt: 60_000, failWaits: new NotFound('gone') });
    await assert.rejects(readWaitingOrPoll(gone.reads, 5), NotFound);
    assert.deepEqual(gone.calls, ['wait 5 @0']);
  });
});
