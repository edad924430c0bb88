import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { API_SERVER_SOCKETS, reuseConnections } from '../../../server/kube/keep-alive.ts';

type Factory = (cluster: unknown, options: object) => Agent;

/** A KubeConfig whose pool factory is kept by reuseConnections, as client-node 1.x calls it per request. */
function poolFactory(): Factory {
  const kc = new KubeConfig();
  (kc as unknown as { createAgent: Factory }).createAgent = (_cluster, options) => new Agent(options);
  reuseConnections(kc);
  return (kc as unknown as { createAgent: Factory }).createAgent;
}

const identity = () => ({
  ca: Buffer.from('-----BEGIN CERTIFICATE-----\nCA\n'),
  cert: Buffer.from('-----BEGIN CERTIFICATE-----\nCLIENT\n'),
  key: Buffer.from('-----BEGIN PRIVATE KEY-----\nKEY\n'),
});

describe('shared API server pools', () => {
  it('keeps at most API_SERVER_SOCKETS connections to the API server, kept alive', () => {
    const pool = poolFactory()({ server: 'https://api.example:6443' }, identity());
    assert.equal(pool.maxSockets, API_SERVER_SOCKETS);
    assert.equal((pool as unknown as { keepAlive: boolean }).keepAlive, true);
  });

  it('hands out one pool for fresh Buffers of the same identity, another for another identity', () => {
    const create = poolFactory();
    const cluster = { server: 'https://api.example:6443' };
    const pool = create(cluster, identity());
    assert.equal(create(cluster, identity()), pool, 'same CA, certificate and key as new Buffers');
    assert.notEqual(create(cluster, { ...identity(), key: Buffer.from('other key') }), pool);
    assert.notEqual(create({ server: 'https://other:6443' }, identity()), pool);
    assert.equal(create(cluster, identity()), pool, 'and back');
  });

  it('names sockets by host and TLS checks, not by the PEM, and gives a request’s own checkServerIdentity its own', () => {
    const pool = poolFactory()({ server: 'https://api.example:6443' }, identity());
    const request = { host: 'api.example', port: 6443, rejectUnauthorized: true };
    const name = pool.getName({ ...request, ...identity() });
    assert.equal(pool.getName({ ...request, ...identity() }), name);
    assert.ok(name.length < 100 && !name.includes('PRIVATE'), name);
    assert.notEqual(pool.getName({ ...request, port: 443 }), name);
    assert.notEqual(pool.getName({ ...request, rejectUnauthorized: false }), name);
    assert.notEqual(pool.getName({ ...request, servername: 'kubernetes' }), name);
    assert.equal(pool.getName(request), name);
    const own = { ...request, checkServerIdentity: () => undefined };
    const agent = new Agent();
    assert.equal(pool.getName(own), agent.getName(own), 'as Node names it');
  });
});
