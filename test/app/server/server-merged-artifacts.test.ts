// GET /api/v1/recordings/merged/artifacts/:name?id=A&id=B: the folded stacks of several catalog recordings
// added up and rendered; every id read under the rule of a single read.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { fromBinary } from '@bufbuild/protobuf';
import Fastify from 'fastify';
import { ProfileSchema } from '../../../core/proto/gen/pprof/profile_pb.ts';
import { installErrorHandler } from '../../../core/contract/http-errors.ts';
import { createAccess } from '../../../server/auth/access.ts';
import { installRouteGuards } from '../../../server/auth/route-guard-hook.ts';
import { registerMergedArtifactRoute } from '../../../server/catalog/merged-artifacts.ts';
import { createTokenCache } from '../../../server/kube/token-cache.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { perfParams, recordingStatus } from '../../harness/recording-status.ts';
import { buildFixture, type Fixture } from './server-fixture.ts';

const reviews = { 'alice-token': { authenticated: true, username: 'alice', groups: [] } };
const alice = { authorization: 'Bearer alice-token' };
const FOLDED = {
  'rec-a1': 'hot;main;furnace_heavy 3\nhot;main;furnace_light 1\n',
  'rec-a2': 'hot;main;furnace_heavy 2\nother;spin 4\n',
  'rec-b': 'db;query;secret_function 9\n',
  'rec-a4': 'hot;main;read;ksys_read 3000000000\nhot;main;nanosleep;do_nanosleep 1000000000\n',
};

/** alice may `get` recordings in team-a only; team-a has two recordings with stacks, team-b one. */
async function catalogFixture(t: TestContext) {
  const kube = fakeKubeGateway({
    reviews,
    allows: (check) => check.user === 'alice' && check.verb === 'get' && check.namespace === 'team-a',
  });
  const f = await buildFixture(t, { authMode: 'kubernetes', kube, registration: 'local' });
  const add = async (namespace: string, pod: string, id: string, folded?: string, profile?: 'offcpu') => {
    const { uploadToken } = f.registry.register({ namespace, pod, address: { host: '127.0.0.1', port: 1 } });
    const headers = { authorization: `Bearer ${uploadToken}` };
    const put = await f.recorder.inject({
      method: 'PUT',
      url: `/api/v1/recordings/${id}`,
      headers,
      payload: recordingStatus(id, {
        state: 'done',
        endedAt: '2026-03-01T12:00:05.000Z',
        ...(profile === undefined ? {} : { params: { ...perfParams(5, { container: 'app' }), profile } }),
      }),
    });
    assert.equal(put.statusCode, 200, put.body);
    if (folded === undefined) return;
    const upload = await f.recorder.inject({
      method: 'PUT',
      url: `/api/v1/recordings/${id}/artifacts/stacks.folded`,
      headers: { ...headers, 'content-type': 'text/plain' },
      payload: folded,
    });
    assert.equal(upload.statusCode, 201, upload.body);
  };
  await add('team-a', 'web-1', 'rec-a1', FOLDED['rec-a1']);
  await add('team-a', 'web-2', 'rec-a2', FOLDED['rec-a2']);
  await add('team-a', 'web-3', 'rec-a3');
  await add('team-b', 'db', 'rec-b', FOLDED['rec-b']);
  await add('team-a', 'web-4', 'rec-a4', FOLDED['rec-a4'], 'offcpu');
  return f;
}

const merged = (f: Fixture, name: string, ids: string[], headers: Record<string, string> = alice) =>
  f.app.inject({
    method: 'GET',
    url: `/api/v1/recordings/merged/artifacts/${name}?${ids.map((id) => `id=${id}`).join('&')}`,
    headers,
  });

describe('merged flame graph of catalog recordings', () => {
  it('adds up the folded stacks of every id and renders them as folded, SVG, HTML and speedscope', async (t) => {
    const f = await catalogFixture(t);
    const folded = await merged(f, 'stacks.folded', ['rec-a1', 'rec-a2']);
    assert.equal(folded.statusCode, 200, folded.body);
    assert.equal(folded.body, 'hot;main;furnace_heavy 5\nhot;main;furnace_light 1\nother;spin 4\n');
    assert.match(String(folded.headers['content-type']), /^text\/plain/);
    assert.equal(folded.headers['content-disposition'], 'attachment; filename="merged-stacks.folded"');

    const svg = await merged(f, 'flamegraph.svg', ['rec-a1', 'rec-a2']);
    assert.equal(svg.statusCode, 200);
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    assert.match(svg.body, /<title>furnace_heavy \(5 samples, 50\.00%\)<\/title>/);
    assert.match(svg.body, /Merged flame graph/);
    assert.match(svg.body, /2 recordings, 10 samples/);

    const html = await merged(f, 'flamegraph.html', ['rec-a1', 'rec-a2']);
    assert.equal(html.statusCode, 200);
    assert.match(html.body, /<title>Merged flame graph<\/title>/);
    assert.match(html.body, /furnace_light/);

    const speedscope = await merged(f, 'speedscope.json', ['rec-a1', 'rec-a2']);
    const file = speedscope.json<{
      profiles: { endValue: number }[];
      shared: { frames: { name: string }[] };
    }>();
    assert.equal(file.profiles[0]?.endValue, 10);
    assert.ok(file.shared.frames.some((frame) => frame.name === 'spin'));
  });

  it('exports the merge as pprof: every sample, at the recordings’ period, labelled with what they share', async (t) => {
    const f = await catalogFixture(t);
    const answer = await merged(f, 'profile.pb.gz', ['rec-a1', 'rec-a2']);
    assert.equal(answer.statusCode, 200, answer.body);
    assert.equal(answer.headers['content-type'], 'application/gzip');
    assert.equal(answer.headers['content-encoding'], undefined);
    const profile = fromBinary(ProfileSchema, gunzipSync(answer.rawPayload));
    const text = (index: bigint): string => profile.stringTable[Number(index)] ?? '';
    const total = profile.sample.reduce((sum, sample) => sum + Number(sample.value[0]), 0);
    assert.equal(total, 10);
    assert.equal(profile.period, 10_101_010n, '99 Hz');
    assert.equal(
      profile.timeNanos,
      BigInt(Date.parse('2026-03-01T12:00:00Z')) * 1_000_000n,
      'the first start',
    );
    const labels = profile.sample[0]?.label.map((label) => `${text(label.key)}=${text(label.str)}`);
    // web-1 and web-2 share their namespace, container and workload (StatefulSet web), not their pod.
    assert.deepEqual(labels, ['namespace=team-a', 'container=app', 'service_name=web']);
  });

  it('takes one id, and counts an id given twice once', async (t) => {
    const f = await catalogFixture(t);
    assert.equal((await merged(f, 'stacks.folded', ['rec-a1'])).body, FOLDED['rec-a1']);
    assert.equal((await merged(f, 'stacks.folded', ['rec-a1', 'rec-a1'])).body, FOLDED['rec-a1']);
  });

  it('answers 404 naming an unknown id, or a recording without folded stacks', async (t) => {
    const f = await catalogFixture(t);
    const unknown = await merged(f, 'flamegraph.svg', ['rec-a1', 'nope']);
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json<{ message: string }>().message, 'recording nope is not in the catalog');
    const bare = await merged(f, 'flamegraph.svg', ['rec-a1', 'rec-a3']);
    assert.equal(bare.statusCode, 404);
    assert.equal(bare.json<{ message: string }>().message, 'recording rec-a3 has no artifact stacks.folded');
  });

  it('an id the caller may not get answers exactly like an unknown one, and nothing of it is rendered', async (t) => {
    const f = await catalogFixture(t);
    const hidden = await merged(f, 'stacks.folded', ['rec-a1', 'rec-b']);
    assert.equal(hidden.statusCode, 404);
    assert.deepEqual(hidden.json(), {
      code: 'ERR_NOT_FOUND',
      message: 'recording rec-b is not in the catalog',
      details: { id: 'rec-b' },
    });
    assert.doesNotMatch(hidden.body, /secret_function/);
    const single = await f.app.inject({ method: 'GET', url: '/api/v1/recordings/rec-b', headers: alice });
    assert.deepEqual(hidden.json(), single.json(), 'the same answer as a single read');
    const anonymous = await merged(f, 'stacks.folded', ['rec-a1'], {});
    assert.equal(anonymous.statusCode, 401);
  });

  it('refuses more ids than one merge may name with a 400 naming the field and the limit', async (t) => {
    const f = await catalogFixture(t);
    const many = Array.from({ length: 51 }, (_, i) => `rec-${i}`);
    const refused = await merged(f, 'flamegraph.svg', many);
    assert.equal(refused.statusCode, 400);
    const body = refused.json<{ code: string; message: string; details: Record<string, unknown> }>();
    assert.equal(body.code, 'ERR_LIMIT_EXCEEDED');
    assert.equal(body.message, 'id names 51 recordings; at most 50 can be merged');
    assert.deepEqual(body.details, { field: 'id', value: 51, limit: 50 });
  });

  it('refuses a missing id and an artifact that cannot be merged', async (t) => {
    const f = await catalogFixture(t);
    assert.equal((await merged(f, 'flamegraph.svg', [])).statusCode, 400);
    assert.equal((await merged(f, 'perf.data', ['rec-a1'])).statusCode, 400);
  });

  it('refuses with 413 when the folded stacks together exceed the bytes one merge reads', async (t) => {
    const f = await catalogFixture(t);
    const kube = fakeKubeGateway({ reviews, allows: () => true });
    const app = Fastify();
    installErrorHandler(app);
    const now = () => Date.now();
    const access = createAccess({
      mode: 'kubernetes',
      userHeader: 'x-forwarded-user',
      groupsHeader: 'x-forwarded-groups',
      now,
      kube,
      tokens: createTokenCache({ now }),
    });
    const limit = FOLDED['rec-a1'].length + 10;
    installRouteGuards(app, { access, recordingNamespace: (id) => f.catalog.get(id)?.namespace });
    registerMergedArtifactRoute(app, { catalog: f.catalog, maxBytes: limit });
    t.after(() => app.close());
    const url = '/api/v1/recordings/merged/artifacts/stacks.folded';
    const one = await app.inject({ method: 'GET', url: `${url}?id=rec-a1`, headers: alice });
    assert.equal(one.statusCode, 200, 'one recording fits');
    const two = await app.inject({ method: 'GET', url: `${url}?id=rec-a1&id=rec-a2`, headers: alice });
    assert.equal(two.statusCode, 413);
    const body = two.json<{ message: string; details: Record<string, unknown> }>();
    assert.match(body.message, new RegExp(`exceed ${limit} bytes together`));
    assert.deepEqual(body.details, { field: 'id', limit });
  });

  it('refuses to merge recordings of different profile types, and exports an offcpu merge in nanoseconds', async (t) => {
    const f = await catalogFixture(t);
    const mixed = await merged(f, 'stacks.folded', ['rec-a1', 'rec-a4']);
    assert.equal(mixed.statusCode, 400, mixed.body);
    assert.match(
      mixed.json<{ message: string }>().message,
      /recordings of different profile types do not merge: rec-a1 is cpu, rec-a4 is offcpu/,
    );
    const answer = await merged(f, 'profile.pb.gz', ['rec-a4']);
    assert.equal(answer.statusCode, 200, answer.body);
    const p = fromBinary(ProfileSchema, gunzipSync(answer.rawPayload));
    const s = (i: bigint) => p.stringTable[Number(i)];
    assert.deepEqual(
      p.sampleType.map((type) => `${s(type.type)}/${s(type.unit)}`),
      ['off_cpu/nanoseconds'],
    );
    assert.equal(
      p.sample.reduce((sum, sample) => sum + Number(sample.value[0]), 0),
      4e9,
    );
  });
});
