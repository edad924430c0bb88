// The rollout watch on real pods (issue 48), on the test node with Furnace installed from its images as the
// README says (readme-walk-real-install.ts): the operator's Recording controller follows a Deployment whose
// rollouts the real controller manager, kubelet, containerd and runc carry out, and records each version's
// pods through the sidecar the webhook injected from the sidecar image.
//
// The Deployment runs the hot C program as a static image; v2 is the same program built with
// -DFURNACE_LIGHT_FACTOR=3 (furnace_light three times as expensive), both with -DFURNACE_STEADY (four functions
// the change leaves alone, so a share that rises names the function that changed). A user's Recording with
// spec.watch (5 s recordings, 5 s settle) must flag `kubectl set image` to v2 as ProfileRegressed naming
// furnace_light, `kubectl rollout undo` as ProfileImproved, and `kubectl rollout restart` (a new annotation,
// the same image) as unchanged; `kubectl describe deployment` shows the Events. Many unchanged rollouts and
// pods that never get Ready are the kube tier's (test/kube/operator-rollout-watch.test.ts): each real
// rollout here costs a pod start and a recording on the node.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Recording, RecordingStatus } from '../../core/crd/resources.ts';
import type { WatchComparison } from '../../core/crd/recording-watch.ts';
import { eventually } from '../harness/eventually.ts';
import {
  buildHotVersionImage,
  HOT_VERSION_IMAGES,
  hotVersionDeployment,
} from '../harness/node/test-images.ts';
import { useNode, type TestNode } from '../harness/node/use-node.ts';
import { install, loadFurnaceImages, uninstall, userKubeconfig } from './readme-walk-real-install.ts';
import { enableNamespace, readyPod } from './readme-walk-real-pods.ts';

const node: TestNode = await useNode();
/** Busy half of each 100 ms: 5 s at 499 Hz gives the comparison hundreds of samples a side. */
const BUSY_PERCENT = 50;
const WATCH = 'hot-rollouts';

function watchingRecording(namespace: string) {
  return {
    apiVersion: 'furnace.hyperfoil.io/v1alpha1',
    kind: 'Recording',
    metadata: { name: WATCH, namespace },
    spec: {
      target: { selector: {} },
      container: 'app',
      durationSeconds: 5,
      frequency: 499,
      watch: { kind: 'Deployment', name: 'hot', settleSeconds: 5, readyTimeoutSeconds: 120 },
    },
  };
}

async function watchStatus(namespace: string): Promise<RecordingStatus | undefined> {
  const recording = JSON.parse(
    await node.kubectl(['get', 'recording', WATCH, '-n', namespace, '-o', 'json']),
  ) as Recording;
  return recording.status;
}

/** Until the Recording has `count` comparisons (or, with 0, its first version recorded); its status. */
function untilCompared(namespace: string, count: number, what: string): Promise<RecordingStatus> {
  return eventually(
    async () => {
      const status = await watchStatus(namespace);
      const done =
        count === 0
          ? (status?.watch?.versions?.length ?? 0) >= 1
          : (status?.watch?.comparisons?.length ?? 0) >= count;
      return done ? status : undefined;
    },
    150_000,
    what,
    1000,
  );
}

function describeComparison(c: WatchComparison): string {
  const changes = c.changes.map((f) => `${f.name} ${f.before}% → ${f.after}%`).join(', ');
  return `${c.verdict} (${c.samples.before}/${c.samples.after} samples${changes ? `; ${changes}` : ''})`;
}

/** A rollout made with kubectl, then the newest comparison once the Recording has `count`. */
async function rollOut(namespace: string, count: number, kubectlArgs: string[], what: string) {
  await node.kubectl([...kubectlArgs, '-n', namespace]);
  const status = await untilCompared(namespace, count, `${what} compared`);
  const comparison = status.watch?.comparisons?.[0];
  assert.ok(comparison, what);
  // The version recorded is the new pod's, the one pod left (with its sidecar) after the rollout.
  const pod = await readyPod(node, namespace, 'app=hot');
  assert.deepEqual(
    status.watch?.versions?.[0]?.recordings.map((r) => r.pod),
    [pod.metadata.name],
    `${what}: the new version's pod recorded`,
  );
  return { status, comparison, image: pod.spec.containers.find((c) => c.name === 'app')?.image };
}

/** The comparison's verdict, and furnace_light among its changes in that direction. */
function assertFlagged(comparison: WatchComparison, verdict: 'regressed' | 'improved'): void {
  assert.equal(comparison.verdict, verdict, JSON.stringify(comparison));
  const light = comparison.changes.find((c) => c.name === 'furnace_light');
  assert.equal(light?.direction, verdict, JSON.stringify(comparison.changes));
  const [slow, fast] = verdict === 'regressed' ? [light.after, light.before] : [light.before, light.after];
  assert.ok(slow > fast * 1.5, `furnace_light ${light.before}% → ${light.after}%`);
}

describe('a Recording watching a Deployment on real pods', () => {
  let dir = '';
  const namespace = `rollouts-${randomBytes(3).toString('hex')}`;
  /** How long each step of the set-up took (s), printed with the counts: the file's wall time matters in CI. */
  const setup: string[] = [];
  before(async () => {
    let since = Date.now();
    const took = (what: string) => {
      setup.push(`${what} ${((Date.now() - since) / 1000).toFixed(0)} s`);
      since = Date.now();
    };
    dir = await mkdtemp(join('/var/tmp', 'furnace-rollout-real-'));
    await loadFurnaceImages(node, dir);
    took('Furnace images');
    for (const version of ['v1', 'v2'] as const)
      await node.importImage(await buildHotVersionImage(dir, version, BUSY_PERCENT));
    took('hot-app v1 and v2');
    await install(node, dir);
    took('install');
  });
  after(async () => {
    await node.kubectl(['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
    await uninstall(node, dir);
    await rm(dir, { recursive: true, force: true });
  });

  it('flags kubectl set image to the slower v2 naming furnace_light, the rollback as an improvement, a rollout restart as unchanged; kubectl describe deployment shows the Events', async (t) => {
    const started = Date.now();
    const step = (what: string) =>
      t.diagnostic(`${what} after ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const token = await enableNamespace(node, namespace);
    const alice = await userKubeconfig(node, join(dir, 'alice.kubeconfig'), token);
    await node.kubectl(['apply', '-f', '-'], JSON.stringify(hotVersionDeployment(namespace, '10m')));
    const first = await readyPod(node, namespace, 'app=hot');
    assert.deepEqual(
      first.spec.containers.map((c) => c.name),
      ['app', 'furnace'],
      'the pod carries the injected sidecar',
    );
    // The user creates the watch with their own rights (furnace-recorder); the operator records as itself.
    await node.kubectl(
      [`--kubeconfig=${alice}`, 'apply', '-f', '-'],
      JSON.stringify(watchingRecording(namespace)),
    );
    const recorded = await untilCompared(namespace, 0, 'the first version recorded');
    assert.equal(
      recorded.watch?.comparisons?.length ?? 0,
      0,
      'the first version has nothing to compare with',
    );
    step(`v1 recorded (${recorded.watch?.versions?.[0]?.samples ?? 0} samples)`);

    const slower = await rollOut(
      namespace,
      1,
      ['set', 'image', 'deployment/hot', `app=${HOT_VERSION_IMAGES.v2}`],
      'the rollout to v2',
    );
    step(`v1 → v2: ${describeComparison(slower.comparison)}`);
    assert.equal(slower.image, HOT_VERSION_IMAGES.v2);
    assertFlagged(slower.comparison, 'regressed');
    const condition = slower.status.conditions?.find((c) => c.type === 'ProfileRegressed');
    assert.equal(condition?.status, 'True', JSON.stringify(slower.status.conditions));
    assert.match(condition.message ?? '', /furnace_light/);

    const faster = await rollOut(namespace, 2, ['rollout', 'undo', 'deployment/hot'], 'the rollback to v1');
    step(`v2 → v1: ${describeComparison(faster.comparison)}`);
    assert.equal(faster.image, HOT_VERSION_IMAGES.v1);
    assertFlagged(faster.comparison, 'improved');

    // A new annotation on the template (kubectl.kubernetes.io/restartedAt), the same image: new pods, no change.
    const same = await rollOut(namespace, 3, ['rollout', 'restart', 'deployment/hot'], 'the rollout restart');
    step(`restart: ${describeComparison(same.comparison)}`);
    assert.equal(same.image, HOT_VERSION_IMAGES.v1);
    assert.equal(same.comparison.verdict, 'unchanged', JSON.stringify(same.comparison));
    const flags = same.status.watch?.flags;
    assert.deepEqual(flags, { regressed: 1, improved: 1 }, 'no flag for the restart');

    const described = await node.kubectl(['describe', 'deployment/hot', '-n', namespace]);
    const events = described.slice(described.indexOf('Events:'));
    assert.match(events, /ProfileRegressed .*furnace_light/, described);
    assert.match(events, /ProfileImproved .*furnace_light/, described);
    // The Recording carries the same Events.
    const onRecording = await node.kubectl(['describe', 'recording', WATCH, '-n', namespace]);
    assert.match(onRecording, /ProfileRegressed .*furnace_light/, onRecording);
    assert.match(onRecording, /ProfileImproved .*furnace_light/, onRecording);
    process.stdout.write(
      `rollout watch on real pods: v1→v2 ${slower.comparison.verdict}, v2→v1 ${faster.comparison.verdict}, ` +
        `restart ${same.comparison.verdict}; flags: regressed ${flags?.regressed}, improved ${flags?.improved}; ` +
        `${((Date.now() - started) / 1000).toFixed(0)} s after the set-up (${setup.join(', ')})\nkubectl describe deployment hot (Events):\n${events}\n`,
    );
  });
});
