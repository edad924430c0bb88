// Who may switch continuous profiling on, decided by the real API server's SubjectAccessReview and RBAC
// with the rules deploy/ installs: a user bound to ClusterRole furnace-recorder records but is refused a
// selection with a 403 that names recordings/continuous and the role that grants it; furnace-continuous,
// bound in the namespace, may switch it on and off there, and only there.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { USER_ROLE_RULES } from '../../deploy/manifests/user-roles.ts';
import { createNamespace, createUser, useCluster } from '../harness/cluster.ts';
import { bindClusterRole } from '../harness/cluster-roles.ts';
import { buildKubeServer } from './server-kube-fixture.ts';

const { kc } = await useCluster();

describe('continuous profiling permission against a real API server', () => {
  it('refuses a furnace-recorder with 403 naming recordings/continuous and furnace-continuous, and lets furnace-continuous switch it on and off in its namespace only', async (t) => {
    const server = await buildKubeServer(t, kc, { continuous: true });
    const namespace = await createNamespace(kc, { enabled: true });
    const other = await createNamespace(kc, { enabled: true });
    // rita: ClusterRole furnace-recorder's rules bound cluster-wide; cora: furnace-continuous's rules
    // granted in the namespace only, as a RoleBinding to the ClusterRole grants them.
    const rita = await createUser(kc, { name: 'rita', namespace, rules: [] });
    const rules = USER_ROLE_RULES.recorder;
    t.after(
      await bindClusterRole(kc, { name: 'furnace-recorder', namespace, serviceAccount: 'rita', rules }),
    );
    const cora = await createUser(kc, { name: 'cora', namespace, rules: USER_ROLE_RULES.continuous });
    const tokens: Record<string, string> = { rita: rita.token, cora: cora.token };
    const call = (user: string, method: 'PUT' | 'DELETE', ns = namespace) =>
      server.app.inject({
        method,
        url: `/api/v1/continuous/${ns}/web`,
        headers: { authorization: `Bearer ${tokens[user] ?? ''}` },
        ...(method === 'PUT' ? { payload: { selector: { matchLabels: { app: 'web' } } } } : {}),
      });

    const denied = await call('rita', 'PUT');
    assert.equal(denied.statusCode, 403, denied.body);
    assert.match(
      denied.json<{ message: string }>().message,
      /may not create recordings\/continuous .*in namespace .*ClusterRole furnace-continuous/,
    );
    const on = await call('cora', 'PUT');
    assert.equal(on.statusCode, 200, on.body);
    assert.deepEqual(on.json<{ selector: unknown }>().selector, { matchLabels: { app: 'web' } });
    // A misspelt selector is refused with its name, not dropped (which would select every pod).
    const misspelt = await server.app.inject({
      method: 'PUT',
      url: `/api/v1/continuous/${namespace}/typo`,
      headers: { authorization: `Bearer ${cora.token}` },
      payload: { selector: { matchLabel: { app: 'web' } } },
    });
    assert.equal(misspelt.statusCode, 400, misspelt.body);
    assert.match(
      misspelt.json<{ message: string }>().message,
      /selector\.matchLabel is not a known parameter/,
    );
    assert.equal((await call('rita', 'DELETE')).statusCode, 403, 'a recorder cannot switch it off either');
    assert.equal((await call('cora', 'PUT', other)).statusCode, 403, 'bound in one namespace, not another');
    assert.equal((await call('cora', 'DELETE')).statusCode, 204, 'switched off');
  });
});
