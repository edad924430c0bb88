import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAuthBinding, limitsFor, parseConfigText, resolveConfig } from '../../server/config.ts';

describe('server config', () => {
  it('defaults local mode to loopback, port 8080, auth none and ./.furnace-data', () => {
    const config = resolveConfig({}, {}, true);
    assert.deepEqual(
      [config.host, config.port, config.authMode, config.dataDir, config.leaseSeconds],
      ['127.0.0.1', 8080, 'none', './.furnace-data', 30],
    );
  });

  it('defaults a cluster to auth kubernetes and /var/lib/furnace, and needs TLS files', () => {
    assert.throws(() => resolveConfig({}, {}, false), /tls\.certFile/);
    const config = resolveConfig({ tls: { certFile: '/c', keyFile: '/k' } }, {}, false);
    assert.deepEqual(
      [config.authMode, config.dataDir, config.host],
      ['kubernetes', '/var/lib/furnace', '0.0.0.0'],
    );
  });

  it('lets the environment override the file', () => {
    const config = resolveConfig({ port: 9000 }, { FURNACE_PORT: '9100' }, true);
    assert.equal(config.port, 9100);
  });

  it('names the key and the allowed values of an invalid setting', () => {
    assert.throws(
      () => resolveConfig({ auth: { mode: 'open' } }, {}, true),
      /auth\.mode = "open"; allowed: kubernetes, proxy, none/,
    );
    assert.throws(
      () => resolveConfig({}, { FURNACE_PORT: 'eighty' }, true),
      /port = "eighty"; allowed: an integer from 0 to 65535/,
    );
    assert.throws(() => resolveConfig({ limits: { maxFoo: 1 } }, {}, true), /limits\.maxFoo/);
  });

  it('reads YAML and JSON, and per-namespace limits override the global ones', () => {
    const file = parseConfigText(
      'limits:\n  maxDurationSeconds: 120\nnamespaceLimits:\n  big:\n    maxDurationSeconds: 900\n',
    );
    const config = resolveConfig(file, {}, true);
    assert.equal(limitsFor(config, 'small').maxDurationSeconds, 120);
    assert.equal(limitsFor(config, 'big').maxDurationSeconds, 900);
    assert.equal(resolveConfig(parseConfigText('{"port": 1234}'), {}, true).port, 1234);
  });

  it('refuses auth mode none on a non-loopback address', () => {
    assert.throws(
      () => checkAuthBinding(resolveConfig({ host: '0.0.0.0' }, {}, true)),
      /host = "0.0.0.0"; allowed: a loopback address/,
    );
    checkAuthBinding(resolveConfig({ host: '::1' }, {}, true));
  });
});
