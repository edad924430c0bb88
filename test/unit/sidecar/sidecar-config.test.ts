import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../core/config/config-error.ts';
import { readSidecarConfig } from '../../../sidecar/config.ts';

const defaults = { hostname: 'laptop', tmpDir: '/tmp' };

describe('sidecar configuration', () => {
  it('runs in pod mode with the webhook environment, using the volumes the webhook mounts', () => {
    const config = readSidecarConfig(
      {
        FURNACE_SERVER_URL: 'https://furnace.furnace-system.svc:8080/',
        FURNACE_SERVER_CA: '-----BEGIN CERTIFICATE-----',
        FURNACE_POD_NAME: 'web-0',
        FURNACE_POD_NAMESPACE: 'shop',
        FURNACE_POD_UID: '6a1f3c2e',
        FURNACE_POD_IP: '10.0.0.7',
        FURNACE_TARGETS: '[{"name":"app","image":"quay.io/shop/web:1"},{"name":"log"}]',
        FURNACE_TOKEN_PATH: '/var/run/secrets/furnace/token',
      },
      defaults,
    );
    assert.equal(config.mode, 'pod');
    assert.equal(config.serverUrl, 'https://furnace.furnace-system.svc:8080');
    assert.equal(config.host, '10.0.0.7');
    assert.equal(config.port, 12380);
    assert.equal(config.dataDir, '/var/lib/furnace');
    assert.equal(config.pullSecretPath, '/var/run/secrets/furnace-pull-secrets');
    assert.deepEqual(config.targets, [
      { name: 'app', image: 'quay.io/shop/web:1' },
      { name: 'log', image: '' },
    ]);
  });

  it('runs in local mode as the server starts it', () => {
    const config = readSidecarConfig(
      {
        FURNACE_SERVER_URL: 'http://127.0.0.1:8080',
        FURNACE_REGISTRATION_SECRET: 's3cret',
        FURNACE_POD_NAMESPACE: 'local',
        FURNACE_POD_NAME: 'laptop',
        FURNACE_SIDECAR_PORT: '0',
        FURNACE_SIDECAR_DATA: '/data/sidecar',
      },
      defaults,
    );
    assert.equal(config.mode, 'local');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 0);
    assert.equal(config.dataDir, '/data/sidecar');
    assert.equal(config.pullSecretPath, undefined);
    assert.equal(config.limits.maxConcurrentPerSidecar, 1);
  });

  it('takes tuning within the shared limits', () => {
    const config = readSidecarConfig(
      {
        FURNACE_MAX_DURATION_SECONDS: '60',
        FURNACE_MAX_FREQUENCY: '100000',
        FURNACE_REGISTRY_MIRRORS: '{"docker.io":["m:5000"]}',
        FURNACE_INSECURE_REGISTRIES: 'a:1, b:2',
      },
      defaults,
    );
    assert.equal(config.limits.maxDurationSeconds, 60);
    assert.equal(config.limits.maxFrequency, 999);
    assert.deepEqual(config.registryMirrors, { 'docker.io': ['m:5000'] });
    assert.deepEqual(config.insecureRegistries, ['a:1', 'b:2']);
  });

  it('names the variable that is wrong', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { FURNACE_SIDECAR_PORT: 'http' },
        /^invalid configuration: FURNACE_SIDECAR_PORT = "http"; allowed: an integer from 0 to 65535$/,
      ],
      [{ FURNACE_TARGETS: '{' }, /FURNACE_TARGETS = "\{"; allowed: a JSON list/],
      [{ FURNACE_TARGETS: '{}' }, /FURNACE_TARGETS = \{\}; allowed: a JSON list/],
      [
        { FURNACE_SERVER_URL: 'http://x' },
        /FURNACE_TOKEN_PATH = \(unset\); allowed: .*or else FURNACE_REGISTRATION_SECRET, while FURNACE_SERVER_URL is set/,
      ],
      [
        { FURNACE_SERVER_URL: 'furnace:8080', FURNACE_REGISTRATION_SECRET: 's' },
        /FURNACE_SERVER_URL = "furnace:8080"; allowed: an https:\/\/ or http:\/\/ URL/,
      ],
      [
        { FURNACE_REGISTRY_MIRRORS: '{"docker.io":"m"}' },
        /FURNACE_REGISTRY_MIRRORS\["docker.io"\] = "m"; allowed: a list of mirror strings/,
      ],
      [{ FURNACE_LOG_LEVEL: 'chatty' }, /FURNACE_LOG_LEVEL = "chatty"; allowed: fatal, error, warn, info/],
      [{ FURNACE_KEEP_RECORDINGS: '0' }, /FURNACE_KEEP_RECORDINGS = "0"; allowed: an integer from 1 to/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => readSidecarConfig(env, defaults),
        (e: unknown) => e instanceof ConfigError && message.test(e.message) && e.key.startsWith('FURNACE_'),
      );
    }
  });

  it("reads the scheduler recorder's map bound and minimum time away (µs), and refuses zero", () => {
    const local = { FURNACE_POD_NAMESPACE: 'local' };
    const plain = readSidecarConfig(local, defaults);
    assert.deepEqual([plain.schedMaxStacks, plain.schedMinBlockedNs], [10_240, 10_000]);
    const tuned = readSidecarConfig(
      { ...local, FURNACE_SCHED_MAX_STACKS: '500', FURNACE_SCHED_MIN_BLOCKED_US: '250' },
      defaults,
    );
    assert.deepEqual([tuned.schedMaxStacks, tuned.schedMinBlockedNs], [500, 250_000]);
    assert.throws(
      () => readSidecarConfig({ ...local, FURNACE_SCHED_MIN_BLOCKED_US: '0' }, defaults),
      ConfigError,
    );
  });
});
