// Agent mode at the server (issue 12): who may register as a node's agent, where the proxy sends a pod
// without a sidecar, the scope the agent is told (the server's, never the caller's), the upload grant of
// one recording, and the sidecar list with both modes. The kube API is a fake at its boundary
// (fake-kube-gateway.ts); the agent is a stand-in HTTPS server with its own pinned key.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import Fastify from 'fastify';
import type { V1Pod } from '@kubernetes/client-node';
import {
  AGENT_SCOPE_HEADER,
  decodeAgentScope,
  encodeAgentScope,
  type AgentScope,
} from '../../../core/contract/agent-scope.ts';
import { createServingIdentity } from '../../../sidecar/api/self-signed-certificate.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { serveOverHttps } from '../../harness/https-server.ts';
import { finishedRecordingStatus, recordingStatus } from '../../harness/recording-status.ts';
import { AGENT_POD, AGENT_REVIEW, CONTINUOUS_AGENT_SETTINGS } from './continuous-fixture.ts';
import { buildFixture, type Fixture } from './server-fixture.ts';
import { getSidecars } from '../../harness/server-calls.ts';
import { buildSameBuildIdPair, hotFunctionsOf } from '../../harness/stripped-programs.ts';
import { tempDir } from '../../harness/temp-dirs.ts';
import { slimPod } from '../../../server/kube/pod-watch.ts';

const APP_ID = 'a'.repeat(64);
const OTHER_ID = 'b'.repeat(64);

function review(username: string, pod: string, uid: string) {
  return {
    authenticated: true,
    username,
    audiences: ['furnace'],
    extra: {
      'authentication.kubernetes.io/pod-name': [pod],
      'authentication.kubernetes.io/pod-uid': [uid],
    },
  };
}

function appPod(namespace: string, name: string, uid: string, node: string, id: string): V1Pod {
  return {
    metadata: { namespace, name, uid },
    spec: { nodeName: node, containers: [{ name: 'app', image: `${name}:1` }] },
    status: {
      phase: 'Running',
      podIP: '10.0.0.9',
      containerStatuses: [{ name: 'app', containerID: `containerd://${id}` }],
    } as V1Pod['status'],
  };
}

const pods: Record<string, V1Pod> = {
  'furnace/agent-a': AGENT_POD,
  'furnace/plain': {
    metadata: { namespace: 'furnace', name: 'plain', uid: '0b0b0b0b-0000-4000-8000-00000000000b' },
    spec: { nodeName: 'node-a', serviceAccountName: 'default', containers: [] },
    status: { podIP: '127.0.0.1' },
  },
  'shop/web': appPod('shop', 'web', '1e1e1e1e-0000-4000-8000-000000000001', 'node-a', APP_ID),
  'shop/far': appPod('shop', 'far', '2f2f2f2f-0000-4000-8000-000000000002', 'node-b', OTHER_ID),
  'closed/secret': appPod('closed', 'secret', '3c3c3c3c-0000-4000-8000-000000000003', 'node-a', OTHER_ID),
  'shop/private': optedOut(
    appPod('shop', 'private', '4d4d4d4d-0000-4000-8000-000000000004', 'node-a', OTHER_ID),
    'labels',
    'false',
  ),
  'shop/quiet': optedOut(
    appPod('shop', 'quiet', '5e5e5e5e-0000-4000-8000-000000000005', 'node-a', OTHER_ID),
    'annotations',
    'off',
  ),
};

/** The pod with `furnace: value` in its labels or annotations (and an unrelated one beside it). */
function optedOut(pod: V1Pod, where: 'labels' | 'annotations', value: string): V1Pod {
  return { ...pod, metadata: { ...pod.metadata, [where]: { app: 'quiet', furnace: value } } };
}

/** A stand-in agent: HTTPS with its own key; it answers starts and reads and keeps what it was sent. */
async function standInAgent(t: TestContext) {
  const identity = await createServingIdentity();
  const app = Fastify();
  const seen: { url: string; authorization: unknown; scope: AgentScope }[] = [];
  app.addHook('onRequest', (request, _reply, done) => {
    seen.push({
      url: request.url,
      authorization: request.headers.authorization,
      scope: decodeAgentScope(request.headers[AGENT_SCOPE_HEADER]),
    });
    done();
  });
  app.post('/recordings', (_request, reply) => reply.code(202).send(recordingStatus('rec-1')));
  app.get('/recordings/:id', (request) => recordingStatus((request.params as { id: string }).id));
  return { pin: identity.pin, port: await serveOverHttps(t, app, identity), seen };
}

async function agentFixture(t: TestContext, agentPort = 12382): Promise<Fixture> {
  const kube = fakeKubeGateway({
    reviews: {
      ...AGENT_REVIEW,
      'plain-token': review(
        'system:serviceaccount:furnace:default',
        'plain',
        '0b0b0b0b-0000-4000-8000-00000000000b',
      ),
      'tenant-token': review(
        'system:serviceaccount:shop:furnace-agent',
        'web',
        '1e1e1e1e-0000-4000-8000-000000000001',
      ),
      'alice-token': { authenticated: true, username: 'alice', groups: [] },
      'bob-token': { authenticated: true, username: 'bob', groups: [] },
    },
    pods,
    namespaces: { shop: { furnace: 'enabled' }, closed: {}, furnace: {} },
    allows: (check) => check.user === 'alice' && check.namespace !== 'furnace',
  });
  return buildFixture(t, {
    authMode: 'kubernetes',
    kube,
    agent: {
      settings: { ...CONTINUOUS_AGENT_SETTINGS, port: agentPort },
      // What the pod watch holds in production: the slimmed pods.
      cachedPods: () => Object.values(pods).map(slimPod),
    },
  });
}

function registerAgent(f: Fixture, token: string, node: string, pin = 'A'.repeat(43)) {
  return f.recorder.inject({
    method: 'POST',
    url: '/api/v1/agents',
    headers: { authorization: `Bearer ${token}` },
    payload: { node, port: 1, tlsPort: 2, tlsPin: pin },
  });
}

const asUser = (token: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
  ...extra,
});

describe('agent registration', () => {
  it('accepts only the agent service account of Furnace, on the node its own pod runs on', async (t) => {
    const f = await agentFixture(t);
    const refused = [
      { token: '', node: 'node-a', status: 401, says: /Bearer/ },
      { token: 'junk', node: 'node-a', status: 401, says: /token not accepted/ },
      {
        token: 'plain-token',
        node: 'node-a',
        status: 403,
        says: /must authenticate as system:serviceaccount:furnace:furnace-agent/,
      },
      { token: 'tenant-token', node: 'node-a', status: 403, says: /must authenticate as/ },
      { token: 'agent-token', node: 'node-b', status: 403, says: /runs on node "node-a", not on "node-b"/ },
    ];
    for (const { token, node, status, says } of refused) {
      const answer = await registerAgent(f, token, node);
      assert.equal(answer.statusCode, status, `${token} on ${node}: ${answer.body}`);
      assert.match(answer.json<{ message: string }>().message, says);
    }
    assert.equal(f.agentMode?.agents.list().length, 0, 'no refused agent was registered');
    const accepted = await registerAgent(f, 'agent-token', 'node-a');
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.equal(f.agentMode?.agents.forNode('node-a')?.pod, 'agent-a');
    const noPin = await f.recorder.inject({
      method: 'POST',
      url: '/api/v1/agents',
      headers: { authorization: 'Bearer agent-token' },
      payload: { node: 'node-a' },
    });
    assert.equal(noPin.statusCode, 400, 'an agent is reached only over TLS with a pinned key');
  });
});

describe('routing to the agent of the pod node', () => {
  it('forwards with the scope the server made from the Pod, never the one a caller sends', async (t) => {
    const agent = await standInAgent(t);
    const f = await agentFixture(t, agent.port);
    const registered = await registerAgent(f, 'agent-token', 'node-a', agent.pin);
    assert.equal(registered.statusCode, 200, registered.body);
    const { proxyToken } = registered.json<{ proxyToken: string }>();

    // The attack: a caller allowed in shop names another pod's UID and container in the scope header.
    const forged = encodeAgentScope({
      namespace: 'closed',
      pod: 'secret',
      podUid: '3c3c3c3c-0000-4000-8000-000000000003',
      containers: [{ name: 'app', id: OTHER_ID, image: 'secret:1' }],
      uploadToken: 'caller-made',
    });
    const started = await f.app.inject({
      method: 'POST',
      url: '/proxy/shop/web/recordings',
      headers: asUser('alice-token', { [AGENT_SCOPE_HEADER]: forged }),
      payload: { durationSeconds: 5 },
    });
    assert.equal(started.statusCode, 202, started.body);
    const polled = await f.app.inject({
      method: 'GET',
      url: '/proxy/shop/web/recordings/rec-1',
      headers: asUser('alice-token', { [AGENT_SCOPE_HEADER]: forged }),
    });
    assert.equal(polled.statusCode, 200, polled.body);

    assert.equal(agent.seen.length, 2);
    const [start, poll] = agent.seen;
    assert.equal(start?.authorization, `Bearer ${proxyToken}`, "the agent's proxy token, not the user's");
    const expected = {
      namespace: 'shop',
      pod: 'web',
      podUid: '1e1e1e1e-0000-4000-8000-000000000001',
      containers: [{ name: 'app', id: APP_ID, image: 'web:1' }],
    };
    const { uploadToken, ...startScope } = start?.scope ?? ({} as AgentScope);
    assert.deepEqual(startScope, expected);
    assert.ok(uploadToken && uploadToken !== 'caller-made', 'the server granted its own upload token');
    assert.deepEqual(poll?.scope, expected, 'a read carries the scope and no upload token');

    // The grant uploads this recording, in web's name, and nothing else.
    const put = (id: string, token: string) =>
      f.recorder.inject({
        method: 'PUT',
        url: `/api/v1/recordings/${id}`,
        headers: { authorization: `Bearer ${token}` },
        payload: finishedRecordingStatus(id),
      });
    const uploaded = await put('rec-1', uploadToken);
    assert.equal(uploaded.statusCode, 200, uploaded.body);
    assert.deepEqual(
      [uploaded.json<{ namespace: string }>().namespace, f.catalog.get('rec-1')?.pod],
      ['shop', 'web'],
    );
    assert.equal((await put('rec-2', uploadToken)).statusCode, 401, 'a grant uploads its own recording only');
    assert.equal((await put('rec-1', 'caller-made')).statusCode, 401);
    const agentUpload = registered.json<{ uploadToken: string }>().uploadToken;
    assert.equal((await put('rec-3', agentUpload)).statusCode, 401, "the agent's own token uploads nothing");
  });

  it("gives an agent's grant the symbol files of its recording's namespace only", async (t) => {
    const dir = await tempDir(t, 'furnace-agent-symbols-');
    const { own, forged } = await buildSameBuildIdPair(dir, 'ab12'.repeat(10));
    const agent = await standInAgent(t);
    const f = await agentFixture(t, agent.port);
    const registered = await registerAgent(f, 'agent-token', 'node-a', agent.pin);
    assert.equal(registered.statusCode, 200, registered.body);
    await f.symbols.upload('shop', Readable.from([await readFile(own.debugFile)]), undefined);
    await f.symbols.upload('closed', Readable.from([await readFile(forged.debugFile)]), undefined);
    const started = await f.app.inject({
      method: 'POST',
      url: '/proxy/shop/web/recordings',
      headers: asUser('alice-token'),
      payload: { durationSeconds: 5 },
    });
    assert.equal(started.statusCode, 202, started.body);
    const grant = agent.seen[0]?.scope.uploadToken ?? assert.fail('no grant');
    const read = (id: string, token: string) =>
      f.recorder.inject({
        url: `/api/v1/recordings/${id}/symbols/buildid/${own.buildId}/debuginfo`,
        headers: { authorization: `Bearer ${token}` },
      });
    const granted = await read('rec-1', grant);
    assert.equal(granted.statusCode, 200, granted.body);
    await writeFile(`${dir}/read.debug`, granted.rawPayload);
    assert.deepEqual(await hotFunctionsOf(`${dir}/read.debug`), ['furnace_heavy', 'furnace_light']);
    assert.equal((await read('rec-2', grant)).statusCode, 401, 'a grant reads for its own recording only');
    const agentToken = registered.json<{ uploadToken: string }>().uploadToken;
    assert.equal((await read('rec-1', agentToken)).statusCode, 401, "the agent's own token reads nothing");
  });

  it('refuses users without rights, pods of namespaces not opted in and nodes without an agent', async (t) => {
    const agent = await standInAgent(t);
    const f = await agentFixture(t, agent.port);
    assert.equal((await registerAgent(f, 'agent-token', 'node-a', agent.pin)).statusCode, 200);
    const call = (token: string, path: string) =>
      f.app.inject({ method: 'POST', url: path, headers: asUser(token), payload: {} });
    const bob = await call('bob-token', '/proxy/shop/web/recordings');
    assert.equal(bob.statusCode, 403, bob.body);
    const closed = await call('alice-token', '/proxy/closed/secret/recordings');
    assert.equal(closed.statusCode, 404, closed.body);
    assert.match(closed.body, /not opted in/);
    const far = await call('alice-token', '/proxy/shop/far/recordings');
    assert.equal(far.statusCode, 404, far.body);
    assert.match(far.body, /no agent is registered for node node-b/);
    const missing = await call('alice-token', '/proxy/shop/nothing/recordings');
    assert.equal(missing.statusCode, 404, missing.body);
    assert.deepEqual(agent.seen, [], 'nothing refused reached the agent');
  });

  it('never records a pod labelled or annotated furnace: "false" (or another opt-out value)', async (t) => {
    const agent = await standInAgent(t);
    const f = await agentFixture(t, agent.port);
    assert.equal((await registerAgent(f, 'agent-token', 'node-a', agent.pin)).statusCode, 200);
    const start = (pod: string) =>
      f.app.inject({
        method: 'POST',
        url: `/proxy/shop/${pod}/recordings`,
        headers: asUser('alice-token'),
        payload: {},
      });
    const labelled = await start('private');
    assert.equal(labelled.statusCode, 404, labelled.body);
    assert.match(labelled.body, /pod shop\/private opted out of Furnace \(label furnace: \\"false\\"\)/);
    const annotated = await start('quiet');
    assert.equal(annotated.statusCode, 404, annotated.body);
    assert.match(annotated.body, /opted out of Furnace \(annotation furnace: \\"off\\"\)/);
    assert.deepEqual(agent.seen, [], 'no start of an opted-out pod reached the agent');
    const listed = (await getSidecars(f.app, asUser('alice-token'))).json<{ items: { pod: string }[] }>();
    assert.deepEqual(
      listed.items.map((i) => i.pod),
      ['web'],
      'opted-out pods are not offered',
    );
  });

  it('lists the pods agents can record with mode agent, to callers who may get them', async (t) => {
    const f = await agentFixture(t);
    const list = async (token: string) =>
      (await getSidecars(f.app, asUser(token))).json<{
        items: { namespace: string; pod: string; mode: string; node?: string }[];
      }>().items;
    assert.deepEqual(await list('alice-token'), [], 'no agent registered yet');
    assert.equal((await registerAgent(f, 'agent-token', 'node-a')).statusCode, 200);
    const items = await list('alice-token');
    assert.deepEqual(
      items.map(({ namespace, pod, mode, node }) => ({ namespace, pod, mode, node })),
      [{ namespace: 'shop', pod: 'web', mode: 'agent', node: 'node-a' }],
      'running pods of opted-in namespaces on nodes with an agent',
    );
    assert.deepEqual(await list('bob-token'), []);
  });
});
