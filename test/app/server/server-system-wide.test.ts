// Item 3 of issue 9: a whole-node recording needs a server setting and its own permission.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { AccessCheck } from '../../../server/kube/kube-gateway.ts';
import { fakeKubeGateway, RECORDINGS } from '../../harness/fake-kube-gateway.ts';
import { buildProxyFixture } from './server-fixture.ts';

const users = {
  'recorder-token': { authenticated: true, username: 'rita', groups: [] },
  'node-profiler-token': { authenticated: true, username: 'nora', groups: [] },
};

/** rita may record in team-a; nora may also record whole nodes there (create recordings/system-wide). */
function allows(check: AccessCheck): boolean {
  if (check.namespace !== 'team-a') return false;
  if (check.subresource === 'system-wide') return check.user === 'nora' && check.verb === 'create';
  return check.subresource === undefined;
}

async function setup(t: TestContext, allowSystemWide: boolean) {
  const kube = fakeKubeGateway({ reviews: users, allows });
  const { f, sidecar, start } = await buildProxyFixture(t, kube, { allowSystemWide });
  return { f, kube, sidecar, start };
}

describe('server proxy, systemWide recordings', () => {
  it('refuses systemWide with 400 naming the setting while recording.allowSystemWide is off, even for nora', async (t) => {
    const { sidecar, start } = await setup(t, false);
    const refused = await start('node-profiler-token', { systemWide: true });
    assert.equal(refused.statusCode, 400, refused.body);
    const body = refused.json<{ message: string; details: { field: string; setting: string } }>();
    assert.equal(body.details.field, 'systemWide');
    assert.equal(body.details.setting, 'recording.allowSystemWide');
    assert.match(body.message, /recording\.allowSystemWide is false/);
    assert.equal(sidecar.connections(), 0, 'nothing reached the sidecar');
  });

  it('with the setting on, needs create on recordings/system-wide: 403 naming it for a mere recorder', async (t) => {
    const { kube, sidecar, start } = await setup(t, true);
    const denied = await start('recorder-token', { systemWide: true });
    assert.equal(denied.statusCode, 403, denied.body);
    const body = denied.json<{ message: string; details: { resource: string } }>();
    assert.equal(body.details.resource, 'recordings/system-wide');
    assert.match(
      body.message,
      /rita may not create recordings\/system-wide \(API group furnace\.hyperfoil\.io\) in namespace team-a/,
    );
    assert.equal(sidecar.connections(), 0);
    const allowed = await start('node-profiler-token', { systemWide: true });
    assert.equal(allowed.statusCode, 201, allowed.body);
    assert.ok(
      kube.asked({ ...RECORDINGS, user: 'nora', verb: 'create', subresource: 'system-wide' }),
      'the permission was asked by SubjectAccessReview',
    );
  });

  it('leaves ordinary recordings to the plain create permission', async (t) => {
    const { kube, start } = await setup(t, true);
    assert.equal((await start('recorder-token', { durationSeconds: 5 })).statusCode, 201);
    assert.equal(kube.checks.filter((c) => c.subresource !== undefined).length, 0);
  });
});
