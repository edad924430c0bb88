// A continuous Recording end to end: the real API server with the CRDs and the generated
// ValidatingAdmissionPolicy and binding (the API server evaluates them itself), the real server process
// (agent mode, so it serves continuous selections), and the Recording reconciler as the operator's service
// account with the operator's real ClusterRole rules.
//
// The attack: a user bound to furnace-recorder (create on recordings, not on recordings/continuous) writes
// a Recording with spec.continuous. The operator switches selections on as itself, and it may everywhere;
// on the code before the webhook, the API server stored that Recording and the operator's next reconcile
// put the selection on the server with the operator's rights, so the user had switched on what the REST
// route refuses them (403). Now the API server refuses the Recording, naming recordings/continuous, and
// it does so with the Furnace server stopped too: the check no longer depends on it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it, type TestContext } from 'node:test';
import { AdmissionregistrationV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, KIND_RECORDING, TEST_RUN_LABEL } from '../../core/contract/names.ts';
import {
  buildRecordingAdmissionBinding,
  buildRecordingAdmissionPolicy,
} from '../../core/crd/recording-admission.ts';
import type { RecordingSpec } from '../../core/crd/resources.ts';
import { OPERATOR_CLUSTER_RULES } from '../../deploy/manifests/operator-rbac.ts';
import { USER_ROLE_RULES } from '../../deploy/manifests/user-roles.ts';
import { CHECK_SETTLE_MS, CONTINUOUS_FINALIZER } from '../../operator/recording/continuous.ts';
import { CLUSTER_OBJECT_NAMES } from '../../operator/furnace/furnace-names.ts';
import { createRecordingKube } from '../../operator/recording/recording-kube.ts';
import { reconcileRecording, type RecordingDeps } from '../../operator/recording/reconcile.ts';
import { RECORDING_PLURAL } from '../../operator/recording/recording-types.ts';
import { createServerClient } from '../../operator/recording/server-client.ts';
import { createNamespace, createUser, RUN_ID, useCluster } from '../harness/cluster.ts';
import { startClusterServer } from '../harness/cluster-server.ts';
import { bindClusterRole } from '../harness/cluster-roles.ts';
import { installCrds } from '../harness/crds.ts';
import { eventually } from '../harness/eventually.ts';
import { bearerCall } from '../harness/http.ts';
import { freePort } from '../harness/ports.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { readRecording, reconcileUntil } from './recording-fixture.ts';

const { cp, kc } = await useCluster();
const SCOPE_LABEL = 'furnace-continuous-recording-scope';

/** Creates a Recording as the user of `userKc`; the API server's refusal message, or undefined if created. */
async function createAs(
  userKc: KubeConfig,
  namespace: string,
  name: string,
  spec: RecordingSpec,
  dryRun = false,
): Promise<string | undefined> {
  try {
    await userKc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace,
      plural: RECORDING_PLURAL,
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: KIND_RECORDING,
        metadata: { name, labels: { [TEST_RUN_LABEL]: RUN_ID } },
        spec,
      },
      ...(dryRun ? { dryRun: 'All' } : {}),
    });
    return undefined;
  } catch (error) {
    const body = (error as { body?: unknown }).body;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return (JSON.parse(text) as { message?: string }).message ?? text;
  }
}

/** The policy and its binding, narrowed to one namespace; when both exist (the later creation time). */
async function installCheck(t: TestContext, scope: string): Promise<number> {
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  // The operator's name for them (its ClusterRole may read them by that name only); kube files run one at a time.
  const options = {
    name: CLUSTER_OBJECT_NAMES.recordingPolicy,
    labels: { [TEST_RUN_LABEL]: RUN_ID },
    namespaceSelector: { matchLabels: { [SCOPE_LABEL]: scope } },
  };
  const policy = await admission.createValidatingAdmissionPolicy({
    body: buildRecordingAdmissionPolicy(options),
  });
  t.after(() => admission.deleteValidatingAdmissionPolicy({ name: options.name }));
  const check = createRecordingKube(kc);
  assert.equal(await check.continuousCheckSince(), undefined, 'a policy without its binding checks nothing');
  const binding = await admission.createValidatingAdmissionPolicyBinding({
    body: buildRecordingAdmissionBinding(options),
  });
  t.after(() => admission.deleteValidatingAdmissionPolicyBinding({ name: options.name }));
  const created = [policy, binding].map((o) => new Date(o.metadata?.creationTimestamp ?? Date.now()));
  const since = Math.max(...created.map((d) => d.getTime()));
  assert.equal(await check.continuousCheckSince(), since);
  return since;
}

/** The server (agent mode: continuous selections) and the check installed for one new namespace. */
async function startWorld(t: TestContext) {
  const dir = await workDir(t, 'continuous-recording');
  const server = await startClusterServer(t, dir, {
    kubeconfigPath: cp.kubeconfigPath,
    extra: {
      agent: {
        enabled: true,
        namespace: await createNamespace(kc, { prefix: 'furnace' }),
        serviceAccount: 'furnace-agent',
        port: await freePort(),
      },
    },
  });
  await installCrds(cp);
  const scope = randomBytes(4).toString('hex');
  const checkSince = await installCheck(t, scope);
  const namespace = await createNamespace(kc, { enabled: true, labels: { [SCOPE_LABEL]: scope } });
  return { server, namespace, checkSince };
}

const selector = { matchLabels: { app: 'web' } };
const CONTINUOUS: RecordingSpec = { target: { selector }, container: 'app', continuous: { frequency: 49 } };

describe('continuous Recordings', () => {
  it('are refused to a furnace-recorder by the API server, naming recordings/continuous; a furnace-continuous user’s is switched on and off by the operator; with the server down the answers are the same', async (t) => {
    const { server, namespace, checkSince } = await startWorld(t);
    const ca = server.certs.caPem;
    const rita = await createUser(kc, { name: 'rita', namespace, rules: USER_ROLE_RULES.recorder });
    const cora = await createUser(kc, { name: 'cora', namespace, rules: USER_ROLE_RULES.continuous });
    const operator = await createUser(kc, { name: 'furnace-operator', namespace, rules: [] });
    t.after(
      await bindClusterRole(kc, {
        name: 'furnace-operator',
        namespace,
        serviceAccount: 'furnace-operator',
        rules: [...OPERATOR_CLUSTER_RULES],
      }),
    );
    const deps: RecordingDeps = {
      kube: createRecordingKube(operator.kubeConfig),
      server: createServerClient({ url: server.base, ca, tokenPath: await tokenFile(t, operator.token) }),
      now: () => Date.now(),
    };
    const selections = async () => {
      const answer = await bearerCall(`${server.base}/api/v1/continuous`, ca, operator.token);
      assert.equal(answer.status, 200, answer.body);
      return (JSON.parse(answer.body) as { items: { namespace: string; name: string }[] }).items.filter(
        (s) => s.namespace === namespace,
      );
    };

    // The API server loads admission policies asynchronously: a dry run until the check answers.
    const refused = await eventually(
      () => createAs(rita.kubeConfig, namespace, 'probe', CONTINUOUS, true),
      20_000,
      'the admission policy to refuse a furnace-recorder',
    );
    const refusal = new RegExp(
      `^recordings\\.furnace\\.hyperfoil\\.io "[-\\w]+" is forbidden: ValidatingAdmissionPolicy 'furnace-recordings' with binding 'furnace-recordings' denied request: system:serviceaccount:${namespace}:rita may not create recordings/continuous \\(API group furnace\\.hyperfoil\\.io\\) in namespace ${namespace}: .*\\(ClusterRole furnace-continuous grants it, bound in the namespace\\)$`,
    );
    assert.match(refused, refusal);
    const attack = await createAs(rita.kubeConfig, namespace, 'sneaky', CONTINUOUS);
    assert.match(attack ?? 'created', refusal, 'the Recording is not stored');
    const plain = { target: { pod: 'web-1' }, durationSeconds: 5 };
    assert.equal(
      await createAs(rita.kubeConfig, namespace, 'once', plain),
      undefined,
      'an ordinary Recording of a furnace-recorder is not the policy’s business',
    );
    assert.deepEqual(await selections(), [], 'nothing switched on');

    // The operator switches on only Recordings created once the check surely ran (CHECK_SETTLE_MS after it
    // was installed): one created earlier may not have been checked.
    await sleep(Math.max(0, checkSince + CHECK_SETTLE_MS + 1000 - Date.now()));
    assert.equal(await createAs(cora.kubeConfig, namespace, 'always', CONTINUOUS), undefined);
    const status = await reconcileUntil(kc, deps, namespace, 'always', (s) => s.phase !== 'Pending', 30_000);
    assert.equal(status.phase, 'Continuous', status.message);
    assert.match(status.message ?? '', /container app, at 49 Hz/);
    assert.equal(
      status.continuous?.links.stacks,
      `/api/v1/continuous/stacks?namespace=${namespace}&container=app`,
    );
    const [selection] = await selections();
    assert.deepEqual(selection && { name: selection.name, ...pick(selection) }, {
      name: 'always',
      selector,
      containers: ['app'],
      frequency: 49,
    });
    const stored = await readRecording(kc, namespace, 'always');
    assert.deepEqual(stored.metadata.finalizers, [CONTINUOUS_FINALIZER]);

    await kc.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace,
      plural: RECORDING_PLURAL,
      name: 'always',
    });
    // The finalizer holds the Recording until the operator switched the selection off.
    const deleting = await readRecording(kc, namespace, 'always');
    assert.ok(deleting.metadata.deletionTimestamp, 'held by its finalizer');
    assert.equal((await selections()).length, 1, 'still on until the operator reconciles');
    await reconcileRecording(deps, deleting);
    assert.deepEqual(await selections(), [], 'switched off');
    await eventually(
      async () => ((await readRecording(kc, namespace, 'always').catch(() => undefined)) ? undefined : true),
      20_000,
      'the Recording to go once its finalizer is removed',
    );

    // With the server gone, the API server still answers the same: the check does not depend on it.
    await server.process.stop();
    assert.match(
      (await createAs(rita.kubeConfig, namespace, 'sneaky-while-down', CONTINUOUS)) ?? 'created',
      refusal,
    );
    assert.equal(
      await createAs(cora.kubeConfig, namespace, 'while-down', CONTINUOUS),
      undefined,
      'a furnace-continuous user’s continuous Recording is admitted without the server',
    );
    assert.equal(
      await createAs(rita.kubeConfig, namespace, 'plain-while-down', plain),
      undefined,
      'ordinary Recordings are admitted as before',
    );
  });
});

function pick(selection: object): Record<string, unknown> {
  const { selector: s, containers, frequency } = selection as Record<string, unknown>;
  return { selector: s, containers, frequency };
}

async function tokenFile(t: TestContext, token: string): Promise<string> {
  const path = join(await workDir(t, 'operator-token'), 'token');
  await writeFile(path, token);
  return path;
}
