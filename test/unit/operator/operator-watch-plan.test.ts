import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodView } from '../../../operator/recording/plan.ts';
import type { RecordingStatus } from '../../../operator/recording/recording-types.ts';
import { MAX_START_AHEAD_SECONDS } from '../../../core/contract/limits.ts';
import {
  planWatch,
  START_AHEAD_MARGIN_SECONDS,
  type WatchInput,
} from '../../../operator/recording/watch/plan-watch.ts';
import type { WorkloadState } from '../../../operator/recording/watch/workload-state.ts';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const ready = (name: string, since: number): PodView => ({
  name,
  phase: 'Running',
  ready: true,
  readySince: at(since).toISOString(),
});
const rolledOut = (version: string): WorkloadState => ({
  version,
  rolledOut: true,
  selector: { matchLabels: { app: 'web' } },
});

function input(extra: Partial<WatchInput>): WatchInput {
  return {
    watch: { kind: 'Deployment', name: 'web', settleSeconds: 30 },
    namespace: 'shop',
    generation: 1,
    status: undefined,
    workload: rolledOut('v1'),
    pods: [ready('web-a', 0), ready('web-b', 5)],
    now: at(10),
    ...extra,
  };
}

const recorded = (version: string): RecordingStatus => ({
  phase: 'Succeeded',
  lastRunTime: at(-100).toISOString(),
  watch: {
    current: { version, seenAt: at(-200).toISOString() },
    recording: version,
    versions: [{ version, recordedAt: at(-100).toISOString(), recordings: [], samples: 100 }],
  },
});

const conditionOf = (status: RecordingStatus, type = 'VersionRecorded') =>
  status.conditions?.find((c) => c.type === type);

describe('planWatch', () => {
  it('begins the run as soon as every pod is Ready, dated at the settle end counted from the last pod Ready', () => {
    const plan = planWatch(input({}));
    assert.equal(plan.begin, true, 'begun during the settle delay, not after it');
    assert.equal(plan.runTime?.toISOString(), at(35).toISOString(), 'pod web-b Ready at 5 s + settle 30 s');
    assert.equal(plan.status.watch?.recording, 'v1');
    assert.equal(plan.status.watch?.current?.readyAt, at(5).toISOString());
    assert.equal(conditionOf(plan.status)?.reason, 'Recording');
    assert.match(
      conditionOf(plan.status)?.message ?? '',
      /recording version v1 from 2026-03-01T12:00:35.000Z \(settleSeconds 30 after its pods were Ready\)/,
    );
  });

  it('begins a run that is due already without a time ahead (it samples from now)', () => {
    const plan = planWatch(input({ now: at(40) }));
    assert.equal(plan.begin, true);
    assert.equal(plan.runTime, undefined);
    assert.equal(conditionOf(plan.status)?.message, 'recording version v1');
  });

  it('waits (Settling) while the settle end is further ahead than a start may be asked, then begins ahead', () => {
    const watch = { kind: 'Deployment' as const, name: 'web', settleSeconds: 1800 };
    const lead = (MAX_START_AHEAD_SECONDS - START_AHEAD_MARGIN_SECONDS) * 1000;
    const waiting = planWatch(input({ watch }));
    assert.equal(waiting.begin, false);
    assert.equal(conditionOf(waiting.status)?.reason, 'Settling');
    assert.equal(waiting.requeueAfterMs, 1805_000 - 10_000 - lead, 'until the settle end is within reach');
    const now = new Date(at(1805).getTime() - lead);
    const begun = planWatch(input({ watch, status: waiting.status, now }));
    assert.equal(begun.begin, true);
    assert.equal(begun.runTime?.toISOString(), at(1805).toISOString());
  });

  it('a version already recorded is not recorded again; a new template is', () => {
    const same = planWatch(input({ status: recorded('v1'), now: at(100) }));
    assert.equal(same.begin, false);
    assert.equal(conditionOf(same.status)?.status, 'True');
    const changed = planWatch(input({ status: recorded('v1'), workload: rolledOut('v2'), now: at(100) }));
    assert.equal(changed.begin, true);
    assert.equal(changed.status.watch?.recording, 'v2');
  });

  it('a rollback to an earlier template is a new version to record', () => {
    const status = recorded('v2');
    status.watch?.versions?.push({
      version: 'v1',
      recordedAt: at(-300).toISOString(),
      recordings: [],
      samples: 1,
    });
    assert.equal(planWatch(input({ status, now: at(100) })).begin, true);
  });

  it('while pods of the new version are not Ready: RollingOut, then NewPodsNotReady once after the timeout, with one Event', () => {
    const workload: WorkloadState = { ...rolledOut('v2'), rolledOut: false, waiting: 'readyReplicas 1/2' };
    const watch = { kind: 'Deployment' as const, name: 'web', readyTimeoutSeconds: 60 };
    const first = planWatch(input({ watch, status: recorded('v1'), workload, now: at(0) }));
    assert.equal(first.begin, false);
    assert.equal(conditionOf(first.status)?.reason, 'RollingOut');
    assert.match(conditionOf(first.status)?.message ?? '', /readyReplicas 1\/2/);
    assert.deepEqual(first.events, []);
    const late = planWatch(input({ watch, status: first.status, workload, now: at(61) }));
    assert.equal(late.begin, false);
    const condition = conditionOf(late.status);
    assert.equal(condition?.reason, 'NewPodsNotReady');
    assert.match(condition?.message ?? '', /readyTimeoutSeconds 60: readyReplicas 1\/2; nothing recorded/);
    assert.deepEqual(
      late.events.map((e) => [e.reason, e.type]),
      [['NewPodsNotReady', 'Warning']],
    );
    const again = planWatch(input({ watch, status: late.status, workload, now: at(90) }));
    assert.deepEqual(again.events, [], 'the Event is told once');
    assert.equal(again.status.watch?.versions?.length, 1, 'nothing recorded');
  });

  it('a pod that is Running but not Ready holds the run back even when the counts say rolled out', () => {
    const pods: PodView[] = [ready('web-a', 0), { name: 'web-b', phase: 'Running' }];
    const plan = planWatch(input({ pods, now: at(100) }));
    assert.equal(plan.begin, false);
    assert.match(conditionOf(plan.status)?.message ?? '', /pods not Ready: web-b/);
  });

  it('a missing workload says so and records nothing', () => {
    const plan = planWatch(input({ workload: undefined }));
    assert.equal(plan.begin, false);
    assert.equal(conditionOf(plan.status)?.reason, 'WorkloadNotFound');
    assert.match(conditionOf(plan.status)?.message ?? '', /Deployment shop\/web not found/);
  });

  it('a failed run of a version is not retried; the condition carries its message', () => {
    const status: RecordingStatus = {
      phase: 'Failed',
      message: 'pod web-a: not registered',
      lastRunTime: at(0).toISOString(),
      watch: { current: { version: 'v2', seenAt: at(-50).toISOString() }, recording: 'v2' },
    };
    const plan = planWatch(input({ status, workload: rolledOut('v2'), now: at(100) }));
    assert.equal(plan.begin, false);
    assert.equal(conditionOf(plan.status)?.reason, 'RecordingFailed');
    assert.match(conditionOf(plan.status)?.message ?? '', /not registered/);
  });
});
