// Issue 9 item 8 against a real API server: /metrics is read with a real SubjectAccessReview on the
// non-resource URL, and the API server's error texts (which name the server's service account and its
// missing permissions) never reach a caller. The rollout watch's metrics (issue 48) are scraped the same
// way from a server process whose Recording watched a real rollout and compared once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WatchComparison } from '../../core/crd/recording-watch.ts';
import { createNamespace, createServiceAccountToken, createUser, useCluster } from '../harness/cluster.ts';
import { bindMetricsReader } from '../harness/cluster-roles.ts';
import { bearerCall } from '../harness/http.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { buildKubeServer } from './server-kube-fixture.ts';
import { getSidecars } from '../harness/server-calls.ts';
import { rollOut, startWatchedHotDeployment, watchUntil } from './rollout-watch-fixture.ts';

const { cp, kc } = await useCluster();

/** The value of the one series of `name` whose labels are exactly `labels` (in the order the server writes them). */
function sampleOf(scrape: string, name: string, labels: Record<string, string>): number | undefined {
  const selector = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(',');
  const line = scrape.split('\n').find((l) => l.startsWith(`${name}{${selector}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** A Recording watching the Deployment `hot`, rolled out once from v1 to v2: the status after it compared. */
async function watchComparedOnce(t: Parameters<typeof workDir>[0]) {
  const dir = await workDir(t, 'watch-metrics');
  const world = await startWatchedHotDeployment(t, { cp, kc }, dir);
  const { namespace } = world;
  await watchUntil(kc, world, 'hot-watch', (s) => (s.watch?.versions?.length ?? 0) === 1);
  await rollOut(kc, namespace, { image: 'hot:v2' });
  const status = await watchUntil(kc, world, 'hot-watch', (s) => (s.watch?.comparisons?.length ?? 0) === 1);
  return { world, comparison: status.watch?.comparisons?.[0] as WatchComparison };
}

describe('server reads against a real API server', () => {
  it('serves /metrics to a service account allowed get on the non-resource URL /metrics, and to nobody else', async (t) => {
    const server = await buildKubeServer(t, kc);
    const namespace = await createNamespace(kc);
    const reader = await createUser(kc, { name: 'prometheus', namespace, rules: [] });
    await bindMetricsReader(t, kc, namespace, 'prometheus');
    const stranger = await createUser(kc, {
      name: 'stranger',
      namespace,
      rules: [{ apiGroups: ['furnace.hyperfoil.io'], resources: ['recordings'], verbs: ['get', 'list'] }],
    });
    const metrics = (token?: string) =>
      server.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    assert.equal((await metrics()).statusCode, 401);
    const refused = await metrics(stranger.token);
    assert.equal(refused.statusCode, 403);
    assert.doesNotMatch(refused.body, /furnace_registered_sidecars/);
    const read = await metrics(reader.token);
    assert.equal(read.statusCode, 200, read.body);
    assert.match(read.body, /^furnace_registered_sidecars 0$/m);
  });

  it('serves the rollout watch metrics in the same scrape, from a Recording that watched a real rollout and compared once', async (t) => {
    const { world, comparison } = await watchComparedOnce(t);
    const { namespace } = world;
    assert.equal(comparison.verdict, 'regressed', JSON.stringify(comparison));
    const light = comparison.changes.find((c) => c.name === 'furnace_light');
    assert.equal(light?.direction, 'regressed', JSON.stringify(comparison.changes));
    const reader = await createUser(kc, { name: 'prometheus', namespace, rules: [] });
    await bindMetricsReader(t, kc, namespace, 'prometheus');
    const stranger = await createUser(kc, { name: 'stranger', namespace, rules: [] });
    const metrics = `${world.server.base}/metrics`;

    const refused = await bearerCall(metrics, world.server.ca, stranger.token);
    assert.equal(refused.status, 403);
    assert.doesNotMatch(refused.body, /furnace_watch_/);
    const scrape = await bearerCall(metrics, world.server.ca, reader.token);
    assert.equal(scrape.status, 200, scrape.body);
    assert.match(scrape.body, /^furnace_registered_sidecars \d+$/m, "today's metrics in the same scrape");
    const series = { namespace, recording: 'hot-watch', workload: 'deployment/hot' };
    const flags = (verdict: string) =>
      sampleOf(scrape.body, 'furnace_watch_flags_total', { ...series, verdict });
    assert.equal(flags('regressed'), 1, scrape.body);
    assert.equal(flags('improved'), 0, scrape.body);
    for (const version of ['before', 'after'] as const) {
      const share = sampleOf(scrape.body, 'furnace_watch_function_self_share_ratio', {
        ...series,
        function: 'furnace_light',
        direction: 'regressed',
        version,
      });
      assert.ok(
        share !== undefined && Math.abs(share - light[version] / 100) < 1e-9,
        `furnace_light's ${version} share: ${share} against the status's ${light[version]}%\n${scrape.body}`,
      );
    }
    assert.match(scrape.body, /^furnace_watch_recordings_left_out 0$/m);
  });

  it("answers a caller 503 without the API server's words when the server's own account may not review tokens", async (t) => {
    const namespace = await createNamespace(kc);
    const powerless = await createUser(kc, { name: 'furnace-server', namespace, rules: [] });
    const server = await buildKubeServer(t, powerless.kubeConfig);
    const someToken = await createServiceAccountToken(kc, { namespace, serviceAccount: 'default' });
    const answers = [
      await getSidecars(server.app, { authorization: `Bearer ${someToken}` }),
      await server.recorder.inject({
        method: 'POST',
        url: '/api/v1/sidecars',
        headers: { authorization: `Bearer ${someToken}` },
        payload: {},
      }),
    ];
    for (const answer of answers) {
      assert.equal(answer.statusCode, 503, answer.body);
      assert.match(answer.body, /the Kubernetes API server could not review a token/);
      assert.doesNotMatch(answer.body, /forbidden|serviceaccount|tokenreviews|furnace-server/i, answer.body);
    }
  });
});
