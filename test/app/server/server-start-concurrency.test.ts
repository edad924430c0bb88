// Item 5 of issue 9: the concurrency limits hold under parallel starts, and a failed start gives its slot back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort } from '../../harness/ports.ts';
import { buildFixture, startFakeSidecar, type Fixture } from './server-fixture.ts';

function registerPods(f: Fixture, namespace: string, count: number, port: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const pod = `web-${i}`;
    f.registry.register({ namespace, pod, podUid: `uid-${i}`, address: { host: '127.0.0.1', port } });
    return pod;
  });
}

function start(f: Fixture, namespace: string, pod: string) {
  return f.app.inject({ method: 'POST', url: `/proxy/${namespace}/${pod}/recordings`, payload: {} });
}

describe('server proxy, concurrency limits under parallel starts', () => {
  it('lets exactly two of ten parallel starts through with maxConcurrentPerNamespace 2', async (t) => {
    const f = await buildFixture(t, { limits: { maxConcurrentPerNamespace: 2 } });
    const sidecar = await startFakeSidecar(t, { startDelayMs: 300 });
    const pods = registerPods(f, 'team-a', 10, sidecar.port);
    const answers = await Promise.all(pods.map((pod) => start(f, 'team-a', pod)));
    const statuses = answers.map((answer) => answer.statusCode).sort();
    assert.deepEqual(statuses, [201, 201, 400, 400, 400, 400, 400, 400, 400, 400]);
    const refused = answers.find((answer) => answer.statusCode === 400);
    assert.equal(refused?.json<{ details: { field: string } }>().details.field, 'maxConcurrentPerNamespace');
    assert.equal(sidecar.requests.filter((r) => r.method === 'POST').length, 2, 'only two reached a sidecar');
  });

  it('holds the per-cluster limit across namespaces the same way', async (t) => {
    const f = await buildFixture(t, { limits: { maxConcurrentPerCluster: 3 } });
    const sidecar = await startFakeSidecar(t, { startDelayMs: 300 });
    const starts = ['a', 'b', 'c', 'd', 'e'].flatMap((ns) =>
      registerPods(f, `team-${ns}`, 2, sidecar.port).map((pod) => start(f, `team-${ns}`, pod)),
    );
    const created = (await Promise.all(starts)).filter((answer) => answer.statusCode === 201);
    assert.equal(created.length, 3);
  });

  it('gives the slot back when the sidecar refuses the start or cannot be reached', async (t) => {
    const f = await buildFixture(t, { limits: { maxConcurrentPerNamespace: 1 } });
    const busy = await startFakeSidecar(t, { startStatus: 409 });
    const good = await startFakeSidecar(t);
    f.registry.register({
      namespace: 'team-a',
      pod: 'busy',
      address: { host: '127.0.0.1', port: busy.port },
    });
    f.registry.register({
      namespace: 'team-a',
      pod: 'gone',
      address: { host: '127.0.0.1', port: await freePort() },
    });
    f.registry.register({
      namespace: 'team-a',
      pod: 'good',
      address: { host: '127.0.0.1', port: good.port },
    });
    assert.equal((await start(f, 'team-a', 'busy')).statusCode, 409);
    assert.equal((await start(f, 'team-a', 'gone')).statusCode, 502);
    assert.equal((await start(f, 'team-a', 'good')).statusCode, 201, 'the failed starts hold no slot');
    const full = await start(f, 'team-a', 'busy');
    assert.equal(full.statusCode, 400, 'the successful start holds the one slot');
  });
});
