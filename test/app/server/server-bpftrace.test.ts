// A bpftrace program can read kernel memory: starting one needs `create` on recordings/bpftrace, beyond
// the `create` on recordings that perf needs (fake Kubernetes gateway; the kube tier asks the real one).
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { AccessCheck } from '../../../server/kube/kube-gateway.ts';
import { fakeKubeGateway, RECORDINGS } from '../../harness/fake-kube-gateway.ts';
import { buildProxyFixture } from './server-fixture.ts';

const users = {
  'recorder-token': { authenticated: true, username: 'rita', groups: [] },
  'tracer-token': { authenticated: true, username: 'tess', groups: [] },
};

const PROGRAM = 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }';
const BPFTRACE_START = { profiler: 'bpftrace', durationSeconds: 5, bpftrace: { program: PROGRAM } };

/** rita may record in team-a; tess may also run bpftrace programs (create recordings/bpftrace, cluster-wide). */
function allows(check: AccessCheck): boolean {
  if (check.subresource === 'bpftrace')
    return check.namespace === '' && check.user === 'tess' && check.verb === 'create';
  return check.namespace === 'team-a' && check.subresource === undefined;
}

async function setup(t: TestContext) {
  const kube = fakeKubeGateway({ reviews: users, allows });
  const { sidecar, start } = await buildProxyFixture(t, kube);
  return { kube, sidecar, start };
}

describe('server proxy, bpftrace recordings (fake Kubernetes gateway)', () => {
  it('answers 403 naming recordings/bpftrace and furnace-tracer to a recorder, whose perf start still passes', async (t) => {
    const { sidecar, start } = await setup(t);
    const denied = await start('recorder-token', BPFTRACE_START);
    assert.equal(denied.statusCode, 403, denied.body);
    const body = denied.json<{ code: string; message: string; details: { resource: string } }>();
    assert.equal(body.code, 'ERR_FORBIDDEN');
    assert.equal(body.details.resource, 'recordings/bpftrace');
    assert.match(
      body.message,
      /rita may not create recordings\/bpftrace \(API group furnace\.hyperfoil\.io\) cluster-wide: a bpftrace program can read any kernel memory of the node.*ClusterRole furnace-tracer/,
    );
    assert.equal(sidecar.connections(), 0, 'nothing reached the sidecar');
    const perf = await start('recorder-token', { durationSeconds: 5 });
    assert.equal(perf.statusCode, 201, perf.body);
  });

  it('forwards the program to the sidecar for a tracer, after asking SubjectAccessReview', async (t) => {
    const { kube, sidecar, start } = await setup(t);
    const allowed = await start('tracer-token', BPFTRACE_START);
    assert.equal(allowed.statusCode, 201, allowed.body);
    const forwarded = sidecar.requests.find((r) => r.method === 'POST');
    assert.deepEqual((forwarded?.body as { bpftrace?: unknown }).bpftrace, { program: PROGRAM });
    assert.ok(
      kube.asked({
        ...RECORDINGS,
        user: 'tess',
        verb: 'create',
        subresource: 'bpftrace',
        namespace: '',
      }),
      'the permission was asked by SubjectAccessReview',
    );
  });

  it('refuses a program it cannot scope with 400 before asking for the permission', async (t) => {
    const { kube, sidecar, start } = await setup(t);
    const refused = await start('recorder-token', {
      profiler: 'bpftrace',
      bpftrace: { program: 'iter:task { printf("%s\\n", ctx->task->comm); }' },
    });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match(refused.json<{ message: string }>().message, /bpftrace\.program is refused: iter:task/);
    assert.equal(kube.checks.filter((c) => c.subresource === 'bpftrace').length, 0);
    assert.equal(sidecar.connections(), 0);
  });

  it("starts profiles offcpu and wall for a recorder without the tracer's permission: the program is Furnace's own", async (t) => {
    const { kube, sidecar, start } = await setup(t);
    for (const profile of ['offcpu', 'wall']) {
      const started = await start('recorder-token', { profile, durationSeconds: 5 });
      assert.equal(started.statusCode, 201, started.body);
    }
    const forwarded = sidecar.requests.filter((r) => r.method === 'POST');
    assert.deepEqual(
      forwarded.map((r) => (r.body as { profile?: string }).profile),
      ['offcpu', 'wall'],
    );
    assert.equal(kube.checks.filter((c) => c.subresource === 'bpftrace').length, 0, 'never asked');
  });
});
