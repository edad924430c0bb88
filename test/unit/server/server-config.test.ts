import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../core/config/config-error.ts';
import { expectedError } from '../../harness/expected-error.ts';
import {
  checkAuthBinding,
  limitsFor,
  parseConfigText,
  resolveConfig as resolveInput,
  type ServerConfig,
} from '../../../server/config/config.ts';

/** The file as if FURNACE_CONFIG named config.yaml, the environment, and the mode. */
function resolveConfig(
  raw: Record<string, unknown>,
  env: Record<string, string>,
  local: boolean,
): ServerConfig {
  return resolveInput({ file: { path: 'config.yaml', raw }, env, local });
}

const TLS = { certFile: '/c', keyFile: '/k' };

const refusal = (run: () => unknown) => expectedError(ConfigError, run, 'expected a ConfigError');

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

  it('names where a bad value came from: the file or the environment variable', () => {
    const fromFile = refusal(() => resolveConfig({ leaseSeconds: 2 }, {}, true));
    assert.equal(
      fromFile.message,
      'invalid configuration in config.yaml: leaseSeconds = 2; allowed: an integer from 5 to 3600',
    );
    assert.deepEqual([fromFile.key, fromFile.value, fromFile.source], ['leaseSeconds', 2, 'config.yaml']);
    const fromEnv = refusal(() => resolveConfig({ logLevel: 'info' }, { FURNACE_LOG_LEVEL: 'loud' }, true));
    assert.equal(
      fromEnv.message,
      'invalid configuration in FURNACE_LOG_LEVEL: logLevel = "loud"; allowed: fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('refuses keys that nothing reads, naming the keys that exist', () => {
    assert.match(
      refusal(() => resolveConfig({ prot: 8080 }, {}, true)).message,
      /prot = 8080; allowed: one of the keys host, port, auth, dataDir, .*webhook/,
    );
    assert.match(
      refusal(() => resolveConfig({ auth: { mod: 'none' } }, {}, true)).message,
      /auth\.mod = "none"; allowed: one of the keys mode, userHeader, groupsHeader, sessionSeconds, proxyClientCaFile$/,
    );
    assert.match(
      refusal(() => resolveConfig({ auth: 'none' }, {}, true)).message,
      /auth = "none"; allowed: a mapping/,
    );
    assert.match(
      refusal(() => resolveConfig({ namespaceLimits: { shop: { maxArtifactBytes: '' } } }, {}, true)).message,
      /namespaceLimits\.shop\.maxArtifactBytes = ""; allowed: an integer from 1 to/,
    );
  });

  it('gives namespaceLimits every limit, maxArtifactBytes included, and the global limits elsewhere', () => {
    const config = resolveConfig(
      { limits: { maxArtifactBytes: 10_000 }, namespaceLimits: { small: { maxArtifactBytes: 1000 } } },
      {},
      true,
    );
    assert.equal(limitsFor(config, 'small').maxArtifactBytes, 1000);
    assert.equal(limitsFor(config, 'other').maxArtifactBytes, 10_000);
    assert.equal(limitsFor(config, 'small').maxDurationSeconds, 600);
  });

  it('refuses half a TLS pair in local mode instead of serving plain HTTP', () => {
    assert.match(
      refusal(() => resolveConfig({ tls: { certFile: '/c' } }, {}, true)).message,
      /tls\.keyFile = \(unset\); allowed: the path of a PEM key/,
    );
  });

  it('resolves the injection config with the server in a cluster, and has no webhook in local mode', () => {
    const config = resolveInput({
      local: false,
      env: { FURNACE_INJECT_SECURITY_PROFILE: 'capabilities' },
      file: { path: 'config.yaml', raw: { tls: TLS, webhook: { port: 9443, configFile: 'inject.yaml' } } },
      injectionFile: { path: 'inject.yaml', raw: { image: 'registry.example/sidecar:2' } },
    });
    assert.equal(config.webhook?.port, 9443);
    assert.equal(config.webhook?.injection.image, 'registry.example/sidecar:2');
    assert.equal(config.webhook?.injection.securityProfile, 'capabilities');
    assert.equal(resolveConfig({ webhook: { port: 9443 } }, {}, true).webhook, undefined);
    assert.equal(resolveConfig({ tls: TLS, webhook: { enabled: false } }, {}, false).webhook, undefined);
    assert.match(
      refusal(() => resolveConfig({ tls: TLS, webhook: { enabled: 'no' } }, {}, false)).message,
      /webhook\.enabled = "no"; allowed: true, false/,
    );
  });

  it('names the injection file or the FURNACE_INJECT_ variable of a bad injection value', () => {
    const cluster = (env: Record<string, string>, raw: Record<string, unknown>): unknown =>
      resolveInput({
        local: false,
        env,
        file: { path: 'config.yaml', raw: { tls: TLS, webhook: { configFile: 'inject.yaml' } } },
        injectionFile: { path: 'inject.yaml', raw },
      });
    assert.equal(
      refusal(() => cluster({}, { securityProfile: 'root' })).message,
      'invalid configuration in inject.yaml: securityProfile = "root"; allowed: privileged, capabilities',
    );
    assert.equal(
      refusal(() => cluster({ FURNACE_INJECT_TOKEN_EXPIRATION_SECONDS: '60' }, {})).message,
      'invalid configuration in FURNACE_INJECT_TOKEN_EXPIRATION_SECONDS: tokenExpirationSeconds = 60; allowed: an integer from 600 to 86400',
    );
  });

  it('reads ingress.trustedProxies as addresses and CIDR ranges, and refuses anything else', () => {
    assert.deepEqual(resolveConfig({ tls: TLS }, {}, false).trustedProxies, []);
    const list = ['10.128.0.0/14', '192.0.2.1', 'fd00::/8'];
    const raw = (value: unknown) => ({ tls: TLS, ingress: { trustedProxies: value } });
    assert.deepEqual(resolveConfig(raw(list), {}, false).trustedProxies, list);
    for (const bad of [['10.0.0.0/33'], ['router.example'], ['::1/129'], '10.0.0.1', [1]]) {
      const error = refusal(() => resolveConfig(raw(bad), {}, false));
      assert.match(error.message, /ingress\.trustedProxies/, JSON.stringify(bad));
    }
  });

  it('keeps whole-node recordings off, caches token reviews for a minute, and reads the security keys', () => {
    const defaults = resolveConfig({ tls: TLS }, {}, false);
    assert.equal(defaults.allowSystemWide, false);
    assert.deepEqual(defaults.sidecarImages, ['quay.io/hyperfoil/furnace-sidecar:latest']);
    assert.deepEqual(defaults.tokenReview, {
      ttlSeconds: 60,
      failureTtlSeconds: 10,
      clientFailuresPerMinute: 30,
      failuresPerMinute: 600,
    });
    const config = resolveInput({
      local: false,
      env: { FURNACE_INJECT_IMAGE: 'registry.example/sidecar@sha256:2' },
      file: {
        path: 'config.yaml',
        raw: {
          tls: TLS,
          recording: { allowSystemWide: true },
          registration: { sidecarImages: ['registry.example/sidecar@sha256:1'] },
          tokenReview: {
            cacheSeconds: 5,
            failureCacheSeconds: 2,
            clientFailuresPerMinute: 3,
            failuresPerMinute: 9,
          },
        },
      },
    });
    assert.equal(config.allowSystemWide, true);
    assert.deepEqual(config.sidecarImages, [
      'registry.example/sidecar@sha256:2',
      'registry.example/sidecar@sha256:1',
    ]);
    assert.deepEqual(config.tokenReview, {
      ttlSeconds: 5,
      failureTtlSeconds: 2,
      clientFailuresPerMinute: 3,
      failuresPerMinute: 9,
    });
    assert.match(
      refusal(() => resolveConfig({ tls: TLS, registration: { sidecarImages: 'one:1' } }, {}, false)).message,
      /registration\.sidecarImages = "one:1"; allowed: a list of image references/,
    );
    assert.match(
      refusal(() => resolveConfig({ tokenReview: { cacheSeconds: 86400 } }, {}, true)).message,
      /tokenReview\.cacheSeconds = 86400; allowed: an integer from 1 to 3600/,
    );
  });
});
