// The server's records for agent mode: one agent per node (a new agent pod replaces the old one's tokens),
// and upload grants that upload one recording, bound once, until they expire.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAgentRegistry } from '../../../server/registry/agent-registry.ts';
import { createUploadGrants } from '../../../server/registry/upload-grants.ts';
import { sharedKeysOf } from '../../../core/shared-key.ts';

function clock(keys = sharedKeysOf([Buffer.alloc(32, 7)])) {
  let time = 1_000_000;
  return { now: () => time, advance: (s: number) => (time += s * 1000), keys };
}

const agentOf = (pod: string, podUid: string, pin = 'pin-1') => ({
  node: 'node-a',
  namespace: 'furnace',
  pod,
  podUid,
  address: { host: '10.0.0.5', port: 12382 },
  tls: { port: 12382, pin },
});

describe('agent registry', () => {
  it('keeps one agent per node, renews with the same tokens, and gives a new agent pod new ones', () => {
    const c = clock();
    const agents = createAgentRegistry({ ...c, leaseSeconds: 30 });
    const first = agents.register(agentOf('agent-1', 'uid-1'));
    assert.equal(agents.register(agentOf('agent-1', 'uid-1')).proxyToken, first.proxyToken);
    assert.equal(agents.forNode('node-a')?.pod, 'agent-1');
    assert.equal(agents.forNode('node-a')?.tls?.pin, 'pin-1');
    const second = agents.register(agentOf('agent-2', 'uid-2', 'pin-2'));
    assert.notEqual(second.proxyToken, first.proxyToken);
    assert.deepEqual(
      agents.list().map((a) => `${a.node} ${a.namespace}/${a.pod}`),
      ['node-a furnace/agent-2'],
    );
    assert.equal(agents.removePod('furnace', 'agent-1', 'uid-1'), false, 'the replaced pod is gone already');
    assert.equal(agents.removePod('furnace', 'agent-2', 'uid-2'), true);
    assert.equal(agents.forNode('node-a'), undefined);
  });

  it('lets a lease that is not renewed expire', () => {
    const c = clock();
    const agents = createAgentRegistry({ ...c, leaseSeconds: 30 });
    agents.register(agentOf('agent-1', 'uid-1'));
    c.advance(31);
    assert.equal(agents.forNode('node-a'), undefined);
    assert.deepEqual(
      agents.sweep().map((a) => a.pod),
      ['agent-1'],
    );
  });
});

describe('upload grants', () => {
  const owner = { namespace: 'shop', pod: 'web', podUid: 'uid-web' };

  it('upload nothing before the start answer binds them, then that one recording until they expire', () => {
    const c = clock();
    const grants = createUploadGrants(c);
    const token = grants.grant(owner, 'node-a', c.now() + 60_000);
    assert.equal(grants.find(token, 'rec-1'), undefined, 'not bound yet');
    grants.bind(token, 'rec-1', c.now() + 120_000);
    grants.bind(token, 'rec-2', c.now() + 120_000);
    assert.deepEqual(grants.find(token, 'rec-1')?.owner, owner);
    assert.equal(grants.find(token, 'rec-2'), undefined, 'bound once, to the first answer');
    c.advance(121);
    assert.equal(grants.find(token, 'rec-1'), undefined, 'expired');
  });

  it('forgets a grant whose start failed', () => {
    const c = clock();
    const grants = createUploadGrants(c);
    const token = grants.grant(owner, 'node-a', c.now() + 60_000);
    grants.revoke(token);
    grants.bind(token, 'rec-1', c.now() + 60_000);
    assert.equal(grants.find(token, 'rec-1'), undefined);
  });

  it('are accepted by another replica that shares the key, bound there to the first recording uploaded with them', () => {
    const c = clock();
    const made = createUploadGrants(c).grant(owner, 'node-a', c.now() + 60_000);
    const other = createUploadGrants(c);
    assert.deepEqual(other.find(made, 'rec-1'), {
      owner,
      node: 'node-a',
      recordingId: 'rec-1',
      expiresAt: c.now() + 60_000,
    });
    assert.ok(other.find(made, 'rec-1'), 'the same recording again');
    assert.equal(other.find(made, 'rec-2'), undefined, 'bound to the first recording');
    c.advance(61);
    assert.equal(other.find(made, 'rec-1'), undefined, 'expired');
  });

  it('refuse a changed, forged or truncated token, and one signed with a key this replica does not hold', () => {
    const c = clock();
    const grants = createUploadGrants(c);
    const token = grants.grant(owner, 'node-a', c.now() + 60_000);
    const [keyId, payload, mac] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as object;
    const otherPod = Buffer.from(JSON.stringify({ ...claims, p: 'db' })).toString('base64url');
    const foreign = createUploadGrants(clock(sharedKeysOf([Buffer.alloc(32, 9)])));
    const cases: [string, string][] = [
      ['another pod in the claims', `${keyId}.${otherPod}.${mac}`],
      ['another MAC', `${keyId}.${payload}.${'A'.repeat(43)}`],
      ['no MAC', `${keyId}.${payload}`],
      ['an unknown key id', `nokey.${payload}.${mac}`],
      ['a random token', 'caller-made'],
      ['another key', foreign.grant(owner, 'node-a', c.now() + 60_000)],
    ];
    for (const [what, forged] of cases)
      assert.equal(createUploadGrants(c).find(forged, 'rec-1'), undefined, what);
    assert.ok(token.length <= 1024, 'fits the scope header');
  });
});
