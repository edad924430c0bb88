import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../core/config/config-error.ts';
import { expectedError } from '../../harness/expected-error.ts';
import { resolveConfig, type ServerConfig } from '../../../server/config/config.ts';

const tls = { certFile: '/c', keyFile: '/k' };

function cluster(raw: Record<string, unknown>, env: Record<string, string> = {}): ServerConfig {
  return resolveConfig({ file: { path: 'config.yaml', raw: { tls, ...raw } }, env, local: false });
}

const refusal = (run: () => unknown) => expectedError(ConfigError, run, 'expected a ConfigError');

describe('listener configuration', () => {
  it('puts the recorder listener on its own port: 8081 in a cluster, any free loopback port locally', () => {
    assert.deepEqual(cluster({}).recorder, { host: '0.0.0.0', port: 8081 });
    const local = resolveConfig({ env: {}, local: true });
    assert.deepEqual(
      [local.host, local.port, local.recorder],
      ['127.0.0.1', 8080, { host: '127.0.0.1', port: 0 }],
    );
    const moved = cluster({ recorder: { host: '10.0.0.1', port: 9001 } }, { FURNACE_RECORDER_PORT: '9002' });
    assert.deepEqual(moved.recorder, { host: '10.0.0.1', port: 9002 });
  });

  it('gives the webhook its own address, so that a loopback user listener leaves it reachable', () => {
    const config = cluster({ host: '127.0.0.1', auth: { mode: 'proxy' } });
    assert.equal(config.webhook?.host, '0.0.0.0');
  });

  it('refuses auth mode proxy on a reachable address without the oauth-proxy client CA, naming the keys', () => {
    const error = refusal(() => cluster({ auth: { mode: 'proxy' } }));
    assert.equal(error.key, 'host');
    assert.equal(error.value, '0.0.0.0');
    assert.match(
      error.message,
      /a loopback address .* while auth\.mode is proxy, unless auth\.proxyClientCaFile/,
    );
    const fromEnv = refusal(() => cluster({}, { FURNACE_AUTH_MODE: 'proxy', FURNACE_HOST: '10.1.2.3' }));
    assert.equal(fromEnv.source, 'FURNACE_HOST');
  });

  it('starts auth mode proxy on loopback, or anywhere with a client CA', () => {
    assert.equal(cluster({ host: '127.0.0.1', auth: { mode: 'proxy' } }).authMode, 'proxy');
    const withCa = cluster({ auth: { mode: 'proxy', proxyClientCaFile: '/etc/furnace/proxy-ca.crt' } });
    assert.equal(withCa.proxyClientCaFile, '/etc/furnace/proxy-ca.crt');
  });

  it('refuses a client CA in any other mode, and proxy or kubernetes in local mode', () => {
    const ignored = refusal(() => cluster({ auth: { proxyClientCaFile: '/ca.crt' } }));
    assert.equal(ignored.key, 'auth.proxyClientCaFile');
    for (const mode of ['proxy', 'kubernetes']) {
      const local = refusal(() => resolveConfig({ env: { FURNACE_AUTH_MODE: mode }, local: true }));
      assert.deepEqual([local.key, local.source], ['auth.mode', 'FURNACE_AUTH_MODE']);
      assert.match(local.allowed, /none in local mode/);
    }
  });

  it('reads the request-header CA and allowed names as a list or the ConfigMap-style string', () => {
    assert.equal(cluster({}).requestHeader, undefined);
    const listed = cluster({
      requestHeader: { clientCaFile: '/etc/rh/ca.crt', allowedNames: ['front-proxy-client', 'aggregator'] },
    });
    assert.deepEqual(listed.requestHeader, {
      clientCaFile: '/etc/rh/ca.crt',
      allowedNames: ['front-proxy-client', 'aggregator'],
    });
    const text = cluster({ requestHeader: { clientCaFile: '/ca', allowedNames: 'a, b' } });
    assert.deepEqual(text.requestHeader?.allowedNames, ['a', 'b']);
    assert.deepEqual(cluster({ requestHeader: { clientCaFile: '/ca' } }).requestHeader?.allowedNames, []);
  });

  it('refuses allowed names without a CA, names that are not strings, and the CA with auth mode none', () => {
    const names = refusal(() => cluster({ requestHeader: { allowedNames: ['x'] } }));
    assert.equal(names.key, 'requestHeader.clientCaFile');
    const bad = refusal(() => cluster({ requestHeader: { clientCaFile: '/ca', allowedNames: [1] } }));
    assert.equal(bad.key, 'requestHeader.allowedNames');
    const none = refusal(() =>
      cluster({ host: '127.0.0.1', auth: { mode: 'none' }, requestHeader: { clientCaFile: '/ca' } }),
    );
    assert.equal(none.key, 'requestHeader.clientCaFile');
    assert.match(none.allowed, /unset while auth\.mode is none/);
  });
});
