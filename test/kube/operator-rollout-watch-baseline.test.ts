// A watched Deployment with a pinned baseline, against a real API server and controller manager (the
// simulated kubelet runs the hot C program's pods with real sidecars; rollout-watch-fixture.ts): a user pins
// the first version's recording through the server's route, v2 (furnace_light three times as expensive) is
// flagged against the version before (which is the baseline, so compared once), and a rollout that changes
// nothing after it is unchanged against the version before but regressed against the baseline, naming
// furnace_light, in the status, the condition and one Event.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_GROUP } from '../../core/contract/names.ts';
import type { RecordingStatus } from '../../operator/recording/recording-types.ts';
import { createUser, useCluster } from '../harness/cluster.ts';
import { bearerCall } from '../harness/http.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { rollOut, startWatchedHotDeployment, watchUntil } from './rollout-watch-fixture.ts';

const { cp, kc } = await useCluster();

const comparisons = (status: RecordingStatus) => status.watch?.comparisons ?? [];

/** v2' against the version before (v2): unchanged; against the pinned v1: regressed, naming furnace_light. */
function assertFlaggedAgainstBaseline(status: RecordingStatus, v1: string): void {
  const [vsPrevious, vsBaseline] = comparisons(status);
  process.stdout.write(
    `rollout watch with a baseline: v2→v2' ${vsPrevious?.verdict}, baseline v1→v2' ${vsBaseline?.verdict} (${JSON.stringify(vsBaseline?.changes)})\n`,
  );
  assert.equal(vsPrevious?.against, 'previous');
  assert.equal(vsPrevious.verdict, 'unchanged', JSON.stringify(vsPrevious));
  assert.equal(vsBaseline?.against, 'baseline');
  assert.equal(vsBaseline.from, v1);
  assert.equal(vsBaseline.to, vsPrevious.to);
  assert.equal(vsBaseline.verdict, 'regressed', JSON.stringify(vsBaseline));
  const light = vsBaseline.changes.find((c) => c.name === 'furnace_light');
  assert.equal(light?.direction, 'regressed', JSON.stringify(vsBaseline.changes));
  assert.ok(light.after > light.before * 1.5, `furnace_light ${light.before}% → ${light.after}%`);
  assert.deepEqual(status.watch?.flags, { regressed: 1, improved: 0 });
  assert.deepEqual(status.watch?.baselineFlags, { regressed: 1, improved: 0 });
  const condition = status.conditions?.find((c) => c.type === 'ProfileRegressed');
  assert.equal(condition?.status, 'True');
  assert.match(condition.message, new RegExp(`against the baseline ${v1}: furnace_light`));
}

describe('a Recording watching a Deployment with a pinned baseline (simulated kubelet, real sidecars)', () => {
  it('compares an unchanged rollout with the baseline too, and flags it against the baseline naming furnace_light', async (t) => {
    const dir = await workDir(t, 'rollout-watch-baseline');
    const world = await startWatchedHotDeployment(t, { cp, kc }, dir);
    const { namespace } = world;
    const first = await watchUntil(kc, world, 'hot-watch', (s) => (s.watch?.versions?.length ?? 0) === 1);
    const v1 = first.watch?.versions?.[0]?.recordings[0]?.recordingId ?? '';
    assert.ok(v1, JSON.stringify(first.watch));

    const user = await createUser(kc, {
      name: 'pinner',
      namespace,
      rules: [{ apiGroups: [API_GROUP], resources: ['recordings'], verbs: ['create', 'get'] }],
    });
    const url = `${world.server.base}/api/v1/recordings/${encodeURIComponent(v1)}/baseline`;
    const pinned = await bearerCall(url, world.server.ca, user.token, 'PUT', { workload: 'deployment/hot' });
    assert.equal(pinned.status, 200, pinned.body);

    await rollOut(kc, namespace, { image: 'hot:v2' });
    const slower = await watchUntil(kc, world, 'hot-watch', (s) => comparisons(s).length >= 1);
    assert.deepEqual(
      comparisons(slower).map((c) => [c.against, c.verdict]),
      [['previous', 'regressed']],
      'v1 is both the version before and the baseline: compared once',
    );

    await rollOut(kc, namespace, { annotation: 'unchanged' });
    const again = await watchUntil(kc, world, 'hot-watch', (s) => comparisons(s).length >= 3);
    assertFlaggedAgainstBaseline(again, v1);

    const baseline = await bearerCall(
      `${world.server.base}/api/v1/recordings/${encodeURIComponent(v1)}`,
      world.server.ca,
      user.token,
    );
    assert.equal(baseline.status, 200, 'the pinned recording is kept');

    const described = await cp.kubectl(['describe', 'deployment', 'hot', '-n', namespace]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(
      described.stdout,
      new RegExp(`ProfileRegressed .*: unchanged; against the baseline ${v1}: more expensive: furnace_light`),
    );
    process.stdout.write(
      `kubectl describe deployment hot (Events):\n${described.stdout.slice(described.stdout.indexOf('Events:'))}\n`,
    );
  });
});
