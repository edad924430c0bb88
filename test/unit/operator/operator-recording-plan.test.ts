import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyOutcome, type Outcome } from '../../../operator/recording/outcomes.ts';
import {
  planRecording,
  pollsOf,
  type Plan,
  type PlanInput,
  type PodView,
} from '../../../operator/recording/plan.ts';
import type { RecordingSpec, RecordingStatus } from '../../../operator/recording/recording-types.ts';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const running = (...names: string[]): PodView[] => names.map((name) => ({ name, phase: 'Running' }));

function input(spec: Partial<RecordingSpec>, extra: Partial<PlanInput> = {}): PlanInput {
  return {
    namespace: 'shop',
    generation: 1,
    createdAt: T0,
    spec: { target: { pod: 'web' }, durationSeconds: 10, ...spec },
    status: undefined,
    pods: running('web'),
    now: T0,
    ...extra,
  };
}

/** Plans, applies the outcomes `answer` gives for the actions, and plans again until nothing is left to do. */
function settle(
  start: PlanInput,
  answer: (plan: Plan) => Outcome[],
): { plan: Plan; actions: Plan['actions'] } {
  let status = start.status;
  const actions: Plan['actions'] = [];
  const tried: string[] = [];
  for (let i = 0; i < 10; i++) {
    const plan = planRecording({ ...start, status, tried });
    actions.push(...plan.actions);
    for (const a of plan.actions) if (a.kind === 'start') tried.push(a.pod);
    if (plan.actions.length === 0) return { plan, actions };
    status = answer(plan).reduce(applyOutcome, plan.status);
  }
  throw new Error('the plan did not settle');
}

/** Starts every pod asked for with id `<pod>-1`. */
function startAll(plan: Plan): Outcome[] {
  return plan.actions.flatMap((a): Outcome[] =>
    a.kind === 'start' ? [{ kind: 'started', pod: a.pod, recordingId: `${a.pod}-1` }] : [],
  );
}

function polled(
  status: RecordingStatus,
  state: 'processing' | 'done' | 'failed',
  message?: string,
): RecordingStatus {
  return pollsOf(status).reduce(
    (s, p) =>
      applyOutcome(s, {
        kind: 'polled',
        ...p,
        state,
        ...(state === 'done' ? { samples: 100 } : {}),
        ...(message ? { message } : {}),
      }),
    status,
  );
}

const summarize = (plan: Plan): Outcome[] =>
  plan.actions.some((a) => a.kind === 'summarize')
    ? [{ kind: 'summarized', samples: 200, topFunctions: [{ name: 'furnace_heavy', percent: 80 }] }]
    : [];

describe('Recording plan: one pod', () => {
  it('starts the pod, records, summarizes and succeeds with links, samples and top functions', () => {
    const first = settle(input({}), startAll);
    assert.deepEqual(first.actions, [{ kind: 'start', pod: 'web' }]);
    assert.equal(first.plan.status.phase, 'Recording');
    assert.equal(first.plan.status.observedGeneration, 1);
    assert.equal(first.plan.status.lastRunTime, T0.toISOString());
    assert.equal(first.plan.requeueAfterMs, 2000, 'a run in progress is polled');
    assert.deepEqual(pollsOf(first.plan.status), [{ pod: 'web', recordingId: 'web-1' }]);

    const processing = settle(
      input({}, { status: polled(first.plan.status, 'processing'), now: at(11) }),
      () => [],
    );
    assert.equal(processing.plan.status.phase, 'Processing');

    const doneStatus = polled(processing.plan.status, 'done');
    const last = settle(input({}, { status: doneStatus, now: at(15) }), summarize);
    assert.deepEqual(
      last.actions.map((a) => a.kind),
      ['summarize'],
    );
    const status = last.plan.status;
    assert.equal(status.phase, 'Succeeded');
    assert.equal(status.message, 'recorded 1 pod: 200 samples');
    assert.deepEqual(status.results, [
      {
        pod: 'web',
        recordingId: 'web-1',
        state: 'done',
        samples: 100,
        links: {
          svg: '/api/v1/recordings/web-1/artifacts/flamegraph.svg',
          html: '/api/v1/recordings/web-1/artifacts/flamegraph.html',
          folded: '/api/v1/recordings/web-1/artifacts/stacks.folded',
          speedscope: '/api/v1/recordings/web-1/artifacts/speedscope.json',
          pprof: '/api/v1/recordings/web-1/artifacts/profile.pb.gz',
          otlp: '/api/v1/recordings/web-1/artifacts/profile.otlp.pb',
        },
      },
    ]);
    assert.deepEqual(status.topFunctions, [{ name: 'furnace_heavy', percent: 80 }]);
    assert.equal(status.merged, undefined, 'one pod has no merged graph');
    assert.equal(last.plan.requeueAfterMs, undefined, 'a finished one-shot Recording is not looked at again');
    assert.deepEqual(planRecording(input({}, { status, now: at(3600) })).actions, [], 'and never runs again');
  });

  it('fails at once, naming the pod, when the named pod does not exist', () => {
    const { plan, actions } = settle(input({ target: { pod: 'gone' } }), startAll);
    assert.deepEqual(actions, []);
    assert.equal(plan.status.phase, 'Failed');
    assert.equal(plan.status.message, 'pod shop/gone not found');
  });

  it('waits for a pod that is not Running yet, then fails after the start grace', () => {
    const pods: PodView[] = [{ name: 'web', phase: 'Pending' }];
    const waiting = planRecording(input({}, { pods }));
    assert.equal(waiting.status.phase, 'Pending');
    assert.equal(waiting.status.message, 'pod shop/web is Pending, not Running');
    assert.deepEqual(waiting.actions, []);
    const later = planRecording(input({}, { pods, status: waiting.status, now: at(61) }));
    assert.equal(later.status.phase, 'Failed');
    assert.match(later.status.message ?? '', /no pod to record within 60 s: pod shop\/web is Pending/);
  });

  it('a refusal that cannot pass (a limit) fails the run with the server message', () => {
    const { plan } = settle(input({ durationSeconds: 900 }), (p) =>
      p.actions.map((a) => ({
        kind: 'refused',
        pod: a.kind === 'start' ? a.pod : '',
        message: 'durationSeconds 900 is out of range: must be between 1 and 600',
        retryable: false,
      })),
    );
    assert.equal(plan.status.phase, 'Failed');
    assert.equal(
      plan.status.message,
      'pod web: durationSeconds 900 is out of range: must be between 1 and 600',
    );
  });

  it('a retryable refusal (not registered yet) is tried again, then fails after the grace', () => {
    const refuse = (p: Plan): Outcome[] =>
      p.actions.map((a) => ({
        kind: 'refused',
        pod: a.kind === 'start' ? a.pod : '',
        message: 'no sidecar',
        retryable: true,
      }));
    const first = settle(input({}), refuse);
    assert.equal(first.plan.status.phase, 'Pending');
    assert.equal(first.plan.status.results?.[0]?.message, 'no sidecar');
    const again = planRecording(input({}, { status: first.plan.status, now: at(30) }));
    assert.deepEqual(again.actions, [{ kind: 'start', pod: 'web' }], 'tried again within the grace');
    const late = planRecording(input({}, { status: first.plan.status, now: at(61) }));
    assert.equal(late.status.phase, 'Failed');
    assert.equal(late.status.message, 'pod web: not started within 60 s: no sidecar');
  });

  it('gives up on a recording that is not processed long after its duration', () => {
    const started = settle(input({}), startAll).plan.status;
    const stuck = planRecording(input({}, { status: started, now: at(10 + 60 + 600 + 1) }));
    assert.equal(stuck.status.phase, 'Failed');
    assert.match(stuck.status.message ?? '', /recording web-1 did not finish within 670 s/);
  });
});

describe('Recording plan: a selector over several pods', () => {
  const selector = { target: { selector: { matchLabels: { app: 'shop' } } } };
  const pods: PodView[] = [
    ...running('p6', 'p5', 'p4', 'p3', 'p2', 'p1'),
    { name: 'starting', phase: 'Pending' },
    { name: 'leaving', phase: 'Running', deleting: true },
  ];

  it('records only Running pods, at most 4 at a time, and starts the next as one finishes', () => {
    const first = settle(input(selector, { pods }), startAll);
    assert.deepEqual(
      first.plan.status.results?.map((r) => r.pod),
      ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'],
    );
    assert.deepEqual(
      first.actions.map((a) => (a.kind === 'start' ? a.pod : a.kind)),
      ['p1', 'p2', 'p3', 'p4'],
    );
    const oneDone = applyOutcome(first.plan.status, {
      kind: 'polled',
      pod: 'p2',
      recordingId: 'p2-1',
      state: 'done',
      samples: 5,
    });
    const next = planRecording(input(selector, { pods, status: oneDone, now: at(12) }));
    assert.deepEqual(next.actions, [{ kind: 'start', pod: 'p5' }]);
    assert.equal(next.status.phase, 'Recording');
  });

  it('takes a smaller concurrency from the options', () => {
    const plan = planRecording(input(selector, { pods, options: { concurrency: 2 } }));
    assert.equal(plan.actions.length, 2);
  });

  it('two pods succeed with a merged graph over both recordings', () => {
    const two = running('a', 'b');
    const started = settle(input(selector, { pods: two }), startAll).plan.status;
    const finished = settle(
      input(selector, { pods: two, status: polled(started, 'done'), now: at(20) }),
      summarize,
    );
    const status = finished.plan.status;
    assert.equal(status.phase, 'Succeeded');
    assert.deepEqual(status.merged, {
      samples: 200,
      links: {
        svg: '/api/v1/recordings/merged/artifacts/flamegraph.svg?id=a-1&id=b-1',
        html: '/api/v1/recordings/merged/artifacts/flamegraph.html?id=a-1&id=b-1',
        folded: '/api/v1/recordings/merged/artifacts/stacks.folded?id=a-1&id=b-1',
        speedscope: '/api/v1/recordings/merged/artifacts/speedscope.json?id=a-1&id=b-1',
        pprof: '/api/v1/recordings/merged/artifacts/profile.pb.gz?id=a-1&id=b-1',
        otlp: '/api/v1/recordings/merged/artifacts/profile.otlp.pb?id=a-1&id=b-1',
      },
    });
  });

  it('one pod failing stops the recordings still running and fails the run, naming the pod', () => {
    const started = settle(input(selector, { pods }), startAll).plan.status;
    const failed = applyOutcome(started, {
      kind: 'polled',
      pod: 'p3',
      recordingId: 'p3-1',
      state: 'failed',
      message: 'perf exited with 1',
    });
    const plan = planRecording(input(selector, { pods, status: failed, now: at(5) }));
    assert.equal(plan.status.phase, 'Failed');
    assert.equal(plan.status.message, 'pod p3: perf exited with 1');
    assert.deepEqual(
      plan.actions.map((a) => (a.kind === 'stop' ? `${a.pod}/${a.recordingId}` : a.kind)),
      ['p1/p1-1', 'p2/p2-1', 'p4/p4-1'],
    );
    assert.deepEqual(
      plan.status.results?.find((r) => r.pod === 'p1')?.message,
      'stopped: the recording of pod p3 failed',
    );
    assert.deepEqual(pollsOf(plan.status), [], 'nothing is polled after the run ended');
    assert.deepEqual(planRecording(input(selector, { pods, status: plan.status, now: at(6) })).actions, []);
  });

  it('waits while no pod matches, then fails naming the selector', () => {
    const waiting = planRecording(input(selector, { pods: [] }));
    assert.equal(waiting.status.message, 'no Running pod in namespace shop matches the selector "app=shop"');
    const late = planRecording(input(selector, { pods: [], status: waiting.status, now: at(61) }));
    assert.equal(late.status.phase, 'Failed');
  });
});

describe('Recording plan: schedules', () => {
  const scheduled = { schedule: '*/10 * * * *', keep: 2 };

  /** A whole run at `now`: the final plan, with every action the run took. */
  function runOnce(status: RecordingStatus | undefined, now: Date, id: string): Plan {
    const started = settle(input(scheduled, { status, now }), (p) =>
      p.actions.flatMap((a): Outcome[] =>
        a.kind === 'start' ? [{ kind: 'started', pod: a.pod, recordingId: id }] : [],
      ),
    ).plan.status;
    const { plan, actions } = settle(
      input(scheduled, { status: polled(started, 'done'), now: new Date(now.getTime() + 15_000) }),
      summarize,
    );
    return { ...plan, actions };
  }

  it('waits for the first run time, runs, and keeps the newest `keep` runs, deleting older recordings of the pods they were made on', () => {
    const idle = planRecording(input(scheduled));
    assert.equal(idle.status.phase, 'Pending');
    assert.equal(idle.status.nextRunTime, '2026-03-01T12:10:00.000Z');
    assert.equal(idle.requeueAfterMs, 600_000);
    assert.deepEqual(idle.actions, []);

    const first = runOnce(idle.status, at(600), 'r1');
    assert.equal(first.status.phase, 'Succeeded');
    assert.equal(first.status.lastRunTime, '2026-03-01T12:10:00.000Z');
    assert.equal(first.status.nextRunTime, '2026-03-01T12:20:00.000Z');
    assert.equal(first.requeueAfterMs, 600_000 - 15_000);
    assert.deepEqual(
      first.status.runs?.map((r) => [r.startTime, r.phase, r.results[0]?.recordingId]),
      [['2026-03-01T12:10:00.000Z', 'Succeeded', 'r1']],
    );

    const second = runOnce(first.status, at(1200), 'r2');
    const third = runOnce(second.status, at(1800), 'r3');
    assert.deepEqual(
      third.status.runs?.map((r) => r.results[0]?.recordingId),
      ['r3', 'r2'],
    );
    assert.deepEqual(
      third.actions.filter((a) => a.kind === 'delete'),
      [{ kind: 'delete', pod: 'web', recordingId: 'r1' }],
    );
    assert.ok(!second.actions.some((a) => a.kind === 'delete'), 'nothing deleted while runs <= keep');
    assert.equal(third.status.results?.[0]?.recordingId, 'r3', 'results show the latest run');
  });

  it('does not start a second run while one is in progress; a run that came due starts when it ends', () => {
    const started = settle(input(scheduled, { now: at(600) }), startAll).plan.status;
    const overdue = planRecording(input(scheduled, { status: started, now: at(1300) }));
    assert.deepEqual(overdue.actions, [], 'still the first run');
    assert.equal(overdue.status.lastRunTime, '2026-03-01T12:10:00.000Z');
    const ended = settle(
      input(scheduled, { status: polled(started, 'done'), now: at(1310) }),
      summarize,
    ).plan;
    assert.equal(ended.status.phase, 'Succeeded');
    const next = planRecording(input(scheduled, { status: ended.status, now: at(1310) }));
    assert.deepEqual(next.actions, [{ kind: 'start', pod: 'web' }]);
    assert.equal(next.status.nextRunTime, '2026-03-01T12:30:00.000Z');
  });

  it('an invalid schedule fails with a message naming it', () => {
    const plan = planRecording(input({ schedule: '*/0 * * * *' }));
    assert.equal(plan.status.phase, 'Failed');
    assert.match(plan.status.message ?? '', /^schedule "\*\/0 \* \* \* \*" is invalid: minute step "0"/);
    assert.deepEqual(plan.actions, []);
  });
});
