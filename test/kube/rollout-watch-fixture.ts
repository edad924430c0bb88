// A watching Recording in the kube tier: the server and its webhook (recording-fixture.ts), the operator's
// service account as the server's caller, the deps of reconcileWatch with the real comparison, a Deployment
// of the hot program whose rollouts the simulated kubelet runs, and a runner that reconciles as the
// operator's supervisor would until a condition holds.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppsV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { compareProfiles } from '../../core/compare/regression.ts';
import { API_GROUP } from '../../core/contract/names.ts';
import { createRecordingKube } from '../../operator/recording/recording-kube.ts';
import type { RecordingStatus } from '../../operator/recording/recording-types.ts';
import { createServerClient } from '../../operator/recording/server-client.ts';
import { reconcileWatch, type WatchDeps } from '../../operator/recording/watch/reconcile-watch.ts';
import { createWatchKube } from '../../operator/recording/watch/watch-kube.ts';
import { createUser } from '../harness/cluster.ts';
import type { ControlPlane } from '../harness/control-plane.ts';
import { installCrds } from '../harness/crds.ts';
import { buildHotProgram } from '../harness/hot-program.ts';
import { createRecording, readRecording, startRecordingServer } from './recording-fixture.ts';
import { startRolloutKubelet, type RolloutKubelet } from './rollout-kubelet.ts';

export interface WatchWorld {
  namespace: string;
  deps: WatchDeps;
  warnings: string[];
  /** The server process's user listener (HTTPS) and the CA that signs its certificate. */
  server: { base: string; ca: string };
}

export async function startWatchWorld(
  t: TestContext,
  { cp, kc }: { cp: ControlPlane; kc: KubeConfig },
  dir: string,
): Promise<WatchWorld> {
  const { base, ca, namespace } = await startRecordingServer(t, { cp, kc }, dir);
  await installCrds(cp);
  const operator = await createUser(kc, {
    name: 'furnace-operator',
    namespace,
    rules: [
      { apiGroups: [API_GROUP], resources: ['recordings'], verbs: ['create', 'get', 'list', 'delete'] },
    ],
  });
  const tokenPath = join(dir, 'operator-token');
  await writeFile(tokenPath, operator.token);
  const warnings: string[] = [];
  const deps: WatchDeps = {
    kube: createRecordingKube(kc),
    watchKube: createWatchKube(kc),
    server: createServerClient({ url: base, tokenPath, ca }),
    compare: compareProfiles,
    now: () => Date.now(),
    options: { startGraceSeconds: 30, pollIntervalMs: 500 },
    log: { warn: (obj, msg) => warnings.push(`${msg}: ${JSON.stringify(obj)}`) },
  };
  return { namespace, deps, warnings, server: { base, ca } };
}

/** Reconciles the watching Recording as often as it asks (at most every 500 ms) until `until` holds. */
export async function watchUntil(
  kc: KubeConfig,
  world: WatchWorld,
  name: string,
  until: (status: RecordingStatus) => boolean,
  timeoutMs = 120_000,
): Promise<RecordingStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await reconcileWatch(world.deps, await readRecording(kc, world.namespace, name));
    const status = (await readRecording(kc, world.namespace, name)).status;
    if (status && until(status)) return status;
    if (Date.now() > deadline)
      throw new Error(`Recording ${name} did not get there in ${timeoutMs} ms: ${JSON.stringify(status)}`);
    await sleep(Math.min(outcome.requeueAfterMs ?? 500, 500));
  }
}

export const HOT_LABELS = { app: 'hot', furnace: 'enabled' };

/**
 * The hot program built twice under `dir` (v1, and v2 with furnace_light three times as expensive), the
 * simulated kubelet running the Deployment `hot`'s pods of either image, and the Deployment at v1.
 */
export async function startHotDeployment(
  t: TestContext,
  kc: KubeConfig,
  namespace: string,
  dir: string,
  sidecar?: string[],
): Promise<RolloutKubelet> {
  await mkdir(join(dir, 'v1'));
  await mkdir(join(dir, 'v2'));
  const v1 = await buildHotProgram(join(dir, 'v1'), ['-DFURNACE_STEADY']);
  const v2 = await buildHotProgram(join(dir, 'v2'), ['-DFURNACE_STEADY', '-DFURNACE_LIGHT_FACTOR=3']);
  // Busy half the time: enough samples at 499 Hz for the comparison, and cores left to the machine.
  const kubelet = startRolloutKubelet(t, kc, {
    namespace,
    labelSelector: 'app=hot',
    container: 'app',
    programs: { 'hot:v1': [v1, '3600', '50'], 'hot:v2': [v2, '3600', '50'] },
    ...(sidecar ? { sidecar } : {}),
  });
  await createHotDeployment(kc, namespace, 'hot:v1');
  return kubelet;
}

/**
 * The watch world with the Deployment `hot` at v1 and the Recording `hot-watch` following it: 8 s at 499 Hz
 * of container `app` per version, settled 2 s, pods Ready within 30 s.
 */
export async function startWatchedHotDeployment(
  t: TestContext,
  cluster: { cp: ControlPlane; kc: KubeConfig },
  dir: string,
): Promise<WatchWorld> {
  const world = await startWatchWorld(t, cluster, dir);
  await startHotDeployment(t, cluster.kc, world.namespace, dir);
  await createRecording(cluster.kc, world.namespace, 'hot-watch', {
    target: { selector: {} },
    durationSeconds: 8,
    frequency: 499,
    container: 'app',
    watch: { kind: 'Deployment', name: 'hot', settleSeconds: 2, readyTimeoutSeconds: 30 },
  });
  return world;
}

export async function createHotDeployment(kc: KubeConfig, namespace: string, image: string): Promise<void> {
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: 'hot' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'hot' } },
        template: {
          metadata: { labels: HOT_LABELS },
          spec: { containers: [{ name: 'app', image }] },
        },
      },
    },
  });
}

/** A rollout: a new image, or (same image) a new annotation on the pod template. */
export async function rollOut(
  kc: KubeConfig,
  namespace: string,
  change: { image: string } | { annotation: string },
): Promise<void> {
  const template =
    'image' in change
      ? { spec: { containers: [{ name: 'app', image: change.image }] } }
      : { metadata: { annotations: { 'furnace-test/rollout': change.annotation } } };
  await kc.makeApiClient(AppsV1Api).patchNamespacedDeployment(
    { namespace, name: 'hot', body: { spec: { template } } },
    // A strategic merge patch: containers are merged by name.
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
}
