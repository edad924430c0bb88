// A Recording with spec.watch against a real API server and controller manager: a Deployment of the hot C
// program whose rollouts the simulated kubelet runs (rollout-kubelet.ts: real processes and the real sidecar
// per pod, Ready marked by the test), recorded by a real server process and compared with core/compare.
// v2 of the program is built with -DFURNACE_LIGHT_FACTOR=3 (furnace_light three times as expensive); both with
// -DFURNACE_STEADY (four functions the change leaves alone: with furnace_light and furnace_heavy alone, their
// shares could not tell which of the two changed).
// FURNACE_TEST_UNCHANGED_ROLLOUTS sets how many rollouts that change nothing are made: 5 by default (the test
// run's short form, about 13 s each), 20 in `npm run soak:rollout-watch`, the long form.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordingStatus } from '../../operator/recording/recording-types.ts';
import { useCluster } from '../harness/cluster.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { rollOut, startWatchedHotDeployment, watchUntil, type WatchWorld } from './rollout-watch-fixture.ts';

const { cp, kc } = await useCluster();
const UNCHANGED = Number(process.env.FURNACE_TEST_UNCHANGED_ROLLOUTS ?? 5);

const comparisons = (status: RecordingStatus) => status.watch?.comparisons ?? [];
const condition = (status: RecordingStatus, type: string) => status.conditions?.find((c) => c.type === type);

/** `count` rollouts that change only an annotation of the template; the verdict of each comparison. */
async function unchangedRollouts(world: WatchWorld, count: number) {
  let flags = 0;
  const verdicts: string[] = [];
  for (let i = 1; i <= count; i++) {
    const before = comparisons(await watchUntil(kc, world, 'hot-watch', () => true))[0]?.comparedAt;
    await rollOut(kc, world.namespace, { annotation: String(i) });
    const after = await watchUntil(kc, world, 'hot-watch', (s) => comparisons(s)[0]?.comparedAt !== before);
    const verdict = comparisons(after)[0]?.verdict ?? 'none';
    verdicts.push(verdict);
    if (verdict === 'regressed' || verdict === 'improved') flags++;
  }
  return { flags, verdicts };
}

describe('a Recording watching a Deployment (simulated kubelet, real sidecars and recordings)', () => {
  it('flags the rollout that makes furnace_light 3× as expensive, the rollback as an improvement, no unchanged rollout, and says why pods that never get Ready are not recorded', async (t) => {
    const dir = await workDir(t, 'rollout-watch');
    const world = await startWatchedHotDeployment(t, { cp, kc }, dir);
    const { namespace } = world;
    const first = await watchUntil(kc, world, 'hot-watch', (s) => (s.watch?.versions?.length ?? 0) === 1);
    assert.equal(comparisons(first).length, 0, 'the first version has nothing to compare with');

    await rollOut(kc, namespace, { image: 'hot:v2' });
    const slower = await watchUntil(kc, world, 'hot-watch', (s) => comparisons(s).length === 1);
    const [regression] = comparisons(slower);
    assert.equal(regression?.verdict, 'regressed', JSON.stringify(regression));
    const light = regression.changes.find((c) => c.name === 'furnace_light');
    assert.equal(light?.direction, 'regressed', JSON.stringify(regression.changes));
    assert.ok(light.after > light.before * 1.5, `furnace_light ${light.before}% → ${light.after}%`);
    assert.equal(condition(slower, 'ProfileRegressed')?.status, 'True');
    assert.match(regression.links.ui, /^\/compare\/[^/]+\/[^/]+$/);

    await rollOut(kc, namespace, { image: 'hot:v1' });
    const faster = await watchUntil(kc, world, 'hot-watch', (s) => comparisons(s).length === 2);
    const [improvement] = comparisons(faster);
    assert.equal(improvement?.verdict, 'improved', JSON.stringify(improvement));
    assert.equal(improvement.changes.find((c) => c.name === 'furnace_light')?.direction, 'improved');
    assert.equal(condition(faster, 'ProfileRegressed')?.status, 'False');
    assert.deepEqual(faster.watch?.flags, { regressed: 1, improved: 1 });

    const unchanged = await unchangedRollouts(world, UNCHANGED);
    process.stdout.write(
      `rollout watch: v1→v2 ${regression.verdict} (furnace_light ${light.before}% → ${light.after}%), v2→v1 ${improvement.verdict}; ${unchanged.flags} flags in ${UNCHANGED} unchanged rollouts (${unchanged.verdicts.join(' ')})\n`,
    );
    assert.equal(unchanged.flags, 0, `verdicts of the unchanged rollouts: ${unchanged.verdicts.join(', ')}`);

    const recorded = (await watchUntil(kc, world, 'hot-watch', () => true)).watch?.versions?.[0];
    await rollOut(kc, namespace, { image: 'hot:never-ready' });
    const stuck = await watchUntil(
      kc,
      world,
      'hot-watch',
      (s) => condition(s, 'VersionRecorded')?.reason === 'NewPodsNotReady',
      90_000,
    );
    assert.deepEqual(stuck.watch?.versions?.[0], recorded, 'nothing recorded');
    assert.match(
      condition(stuck, 'VersionRecorded')?.message ?? '',
      /not Ready within readyTimeoutSeconds 30/,
    );

    const described = await cp.kubectl(['describe', 'deployment', 'hot', '-n', namespace]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /ProfileRegressed .*furnace_light/);
    assert.match(described.stdout, /ProfileImproved .*furnace_light/);
    assert.match(described.stdout, /NewPodsNotReady/);
    process.stdout.write(
      `kubectl describe deployment hot (Events):\n${described.stdout.slice(described.stdout.indexOf('Events:'))}\n`,
    );
  });
});
