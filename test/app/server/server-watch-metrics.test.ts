// The rollout watch's metrics on the server's /metrics, read from the Recordings' status through the server's
// Kubernetes client. The API server here is a fake on loopback (the app tier has no real one; the kube tier
// does): it answers the list of Recordings the operator would have written.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { createKubeRequest } from '../../../kube/kube-request.ts';
import { registerWatchMetrics } from '../../../server/regressions/watch-metrics.ts';
import {
  READ_EVERY_MS,
  RECORDINGS_PATH,
  recordingLister,
  watchedRecordings,
} from '../../../server/regressions/watched-recordings.ts';
import { portOf } from '../../harness/ports.ts';
import { buildFixture } from './server-fixture.ts';

interface FakeApiServer {
  port: number;
  requests: { url: string; authorization: string | undefined }[];
  answer: { status: number; body: unknown };
}

async function startFakeApiServer(t: TestContext): Promise<FakeApiServer> {
  const fake: FakeApiServer = { port: 0, requests: [], answer: { status: 200, body: { items: [] } } };
  const server = createServer((req: IncomingMessage, res) => {
    fake.requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    res.writeHead(fake.answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(fake.answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  fake.port = portOf(server);
  return fake;
}

function kubeConfigFor(port: number): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'furnace-server', token: 'server-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'furnace-server' }],
    currentContext: 'fake',
  });
  return kc;
}

function rolloutRecording(flags: { regressed: number; improved: number }, after: number): object {
  return {
    apiVersion: 'furnace.hyperfoil.io/v1alpha1',
    kind: 'Recording',
    metadata: { namespace: 'my-app', name: 'web-rollouts' },
    spec: { durationSeconds: 30, watch: { kind: 'Deployment', name: 'web' } },
    status: {
      watch: {
        flags,
        comparisons: [
          {
            from: '3f2a',
            to: '9c1d',
            verdict: 'regressed',
            changes: [{ name: 'parse_json', direction: 'regressed', before: 12, after }],
          },
        ],
      },
    },
  };
}

const SERIES = 'namespace="my-app",recording="web-rollouts",workload="deployment/web"';

describe('rollout watch metrics on /metrics (fake API server)', () => {
  it('lists Recordings with the server credentials and shows each top function share and the flag counts', async (t) => {
    const api = await startFakeApiServer(t);
    api.answer = { status: 200, body: { items: [rolloutRecording({ regressed: 1, improved: 0 }, 31.5)] } };
    const f = await buildFixture(t);
    let now = 1_000_000;
    registerWatchMetrics(
      f.metricsRegistry,
      watchedRecordings({
        listRecordings: recordingLister(createKubeRequest(kubeConfigFor(api.port))),
        now: () => now,
        log: f.app.log,
      }),
    );
    const scrape = async (): Promise<string> => (await f.app.inject({ method: 'GET', url: '/metrics' })).body;
    let text = await scrape();
    assert.deepEqual(api.requests, [{ url: RECORDINGS_PATH, authorization: 'Bearer server-token' }]);
    const share = (version: string): RegExp =>
      new RegExp(
        `^furnace_watch_function_self_share_ratio\\{${SERIES},function="parse_json",direction="regressed",version="${version}"\\} ([0-9.]+)$`,
        'm',
      );
    assert.equal(share('before').exec(text)?.[1], '0.12');
    assert.equal(share('after').exec(text)?.[1], '0.315');
    assert.match(text, new RegExp(`^furnace_watch_flags_total\\{${SERIES},verdict="regressed"\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^furnace_watch_flags_total\\{${SERIES},verdict="improved"\\} 0$`, 'm'));
    assert.match(text, /^furnace_watch_recordings_left_out 0$/m);

    // The rollback: flagged as an improvement. Within READ_EVERY_MS the last list answers; then a new one.
    api.answer = { status: 200, body: { items: [rolloutRecording({ regressed: 1, improved: 1 }, 12.5)] } };
    text = await scrape();
    assert.equal(api.requests.length, 1, 'one list per READ_EVERY_MS, however many scrapes');
    now += READ_EVERY_MS;
    text = await scrape();
    assert.equal(api.requests.length, 2);
    assert.equal(share('after').exec(text)?.[1], '0.125');
    assert.match(text, new RegExp(`^furnace_watch_flags_total\\{${SERIES},verdict="improved"\\} 1$`, 'm'));
  });

  it('keeps the last series and logs why when the API server refuses the list', async (t) => {
    const api = await startFakeApiServer(t);
    api.answer = { status: 200, body: { items: [rolloutRecording({ regressed: 3, improved: 0 }, 40)] } };
    const f = await buildFixture(t);
    let now = 0;
    registerWatchMetrics(
      f.metricsRegistry,
      watchedRecordings({
        listRecordings: recordingLister(createKubeRequest(kubeConfigFor(api.port))),
        now: () => now,
        log: f.app.log,
      }),
    );
    await f.app.inject({ method: 'GET', url: '/metrics' });
    api.answer = {
      status: 403,
      body: {
        kind: 'Status',
        status: 'Failure',
        reason: 'Forbidden',
        code: 403,
        message:
          'recordings.furnace.hyperfoil.io is forbidden: User "system:serviceaccount:furnace:furnace-server" cannot list resource "recordings"',
      },
    };
    now += READ_EVERY_MS;
    const text = (await f.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.equal(api.requests.length, 2);
    assert.match(text, new RegExp(`^furnace_watch_flags_total\\{${SERIES},verdict="regressed"\\} 3$`, 'm'));
    const warning = f.logLines().find((line) => /could not list Recordings/.test(String(line.msg)));
    assert.ok(warning, 'a warning in the log');
    assert.match(JSON.stringify(warning), /cannot list resource/);
  });
});
