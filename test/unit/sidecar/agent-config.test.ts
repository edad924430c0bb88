// The node agent's configuration: what it requires (its node, the server, its token), what it ignores (a
// pod of its own), and where it listens and keeps recordings by default.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../core/config/config-error.ts';
import { readAgentConfig } from '../../../sidecar/agent/agent-config.ts';

const defaults = { hostname: 'node-a', tmpDir: '/tmp' };
const env = {
  FURNACE_SERVER_URL: 'https://furnace.furnace.svc:8081',
  FURNACE_TOKEN_PATH: '/var/run/secrets/furnace/token',
  FURNACE_NODE_NAME: 'node-a',
  FURNACE_POD_IP: '10.0.0.5',
};

describe('agent configuration', () => {
  it('listens on its pod IP at 12382 over HTTPS and keeps recordings in its own directory', () => {
    const config = readAgentConfig({ ...env, FURNACE_POD_UID: 'would-record-one-pod' }, defaults);
    assert.equal(config.nodeName, 'node-a');
    assert.equal(config.host, '10.0.0.5');
    assert.equal(config.tlsPort, 12382);
    assert.equal(config.dataDir, '/var/lib/furnace-agent');
    assert.equal(config.mode, 'local', 'no pod of its own: the server names one per request');
    assert.equal(config.podUid, undefined);
    assert.equal(readAgentConfig({ ...env, FURNACE_AGENT_PORT: '9443' }, defaults).tlsPort, 9443);
  });

  it('refuses to start without its node, the server or its token, naming the variable', () => {
    for (const name of ['FURNACE_NODE_NAME', 'FURNACE_SERVER_URL', 'FURNACE_TOKEN_PATH'] as const) {
      assert.throws(
        () => readAgentConfig({ ...env, [name]: '' }, defaults),
        (error: unknown) => error instanceof ConfigError && error.key === name,
        name,
      );
    }
    assert.throws(
      () => readAgentConfig({ ...env, FURNACE_AGENT_PORT: 'https' }, defaults),
      (error: unknown) => error instanceof ConfigError && error.key === 'FURNACE_AGENT_PORT',
    );
  });
});
