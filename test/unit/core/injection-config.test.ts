import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_INJECTION_CONFIG, parseInjectionConfig } from '../../../core/injection/injection-config.ts';
import { injectionConfigFromEnv, mergeRawConfig } from '../../../core/injection/injection-config-env.ts';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { expectedError } from '../../harness/expected-error.ts';

const rejection = (raw: unknown) =>
  expectedError(FurnaceError, () => parseInjectionConfig(raw), 'expected the config to be rejected');

describe('parseInjectionConfig', () => {
  it('gives the defaults for an empty or missing config', () => {
    assert.deepEqual(parseInjectionConfig({}), DEFAULT_INJECTION_CONFIG);
    assert.deepEqual(parseInjectionConfig(undefined), DEFAULT_INJECTION_CONFIG);
    assert.equal(DEFAULT_INJECTION_CONFIG.securityProfile, 'privileged');
    assert.equal(DEFAULT_INJECTION_CONFIG.tokenExpirationSeconds, 600);
  });

  it('keeps given values and fills the rest, nested ones included', () => {
    const config = parseInjectionConfig({
      image: 'registry.example/furnace-sidecar:1.0',
      securityProfile: 'capabilities',
      resources: { limits: { cpu: '' } },
    });
    assert.equal(config.image, 'registry.example/furnace-sidecar:1.0');
    assert.equal(config.securityProfile, 'capabilities');
    assert.deepEqual(config.resources.limits, { cpu: '', memory: '1Gi' });
    assert.deepEqual(config.resources.requests, DEFAULT_INJECTION_CONFIG.resources.requests);
  });

  it('names the key, the value and the allowed values', () => {
    const profile = rejection({ securityProfile: 'root' });
    assert.equal(profile.code, 'ERR_INVALID_PARAMETER');
    assert.match(profile.message, /securityProfile/);
    assert.match(profile.message, /"root"/);
    assert.match(profile.message, /privileged, capabilities/);
    assert.match(
      rejection({ imagePullPolicy: 'always' }).message,
      /imagePullPolicy .*Always, IfNotPresent, Never/,
    );
    assert.match(
      rejection({ tokenExpirationSeconds: 60 }).message,
      /tokenExpirationSeconds = 60; allowed: .*600/,
    );
    assert.match(
      rejection({ resources: { requests: { memory: '64 MB' } } }).message,
      /resources\.requests\.memory/,
    );
    assert.match(rejection({ serverUrl: 'furnace:8080' }).message, /serverUrl/);
    assert.match(rejection({ serverCa: 'not a pem' }).message, /serverCa/);
    assert.match(rejection({ mountKernelSources: 'yes' }).message, /mountKernelSources .*true, false/);
  });

  it('rejects unknown keys, naming them and the known ones', () => {
    const error = rejection({ imagePullPolicyy: 'Always' });
    assert.match(error.message, /imagePullPolicyy = "Always"; allowed: one of the keys/);
    assert.match(error.message, /imagePullPolicy,/);
    assert.match(
      rejection({ resources: { request: {} } }).message,
      /resources\.request = \{\}; allowed: one of the keys requests, limits/,
    );
  });
});

describe('injectionConfigFromEnv', () => {
  it('maps variables onto keys and converts numbers and booleans', () => {
    const raw = injectionConfigFromEnv({
      FURNACE_INJECT_IMAGE: 'img:2',
      FURNACE_INJECT_CPU_LIMIT: '2',
      FURNACE_INJECT_TOKEN_EXPIRATION_SECONDS: '1200',
      FURNACE_INJECT_MOUNT_KERNEL_SOURCES: 'true',
      FURNACE_INJECT_SECURITY_PROFILE: '',
      UNRELATED: 'x',
    });
    assert.deepEqual(raw, {
      image: 'img:2',
      resources: { limits: { cpu: '2' } },
      tokenExpirationSeconds: 1200,
      mountKernelSources: true,
    });
  });

  it('overrides the file key by key', () => {
    const file = { image: 'a', resources: { limits: { cpu: '1', memory: '2Gi' } } };
    const merged = mergeRawConfig(file, injectionConfigFromEnv({ FURNACE_INJECT_CPU_LIMIT: '3' }));
    assert.deepEqual(parseInjectionConfig(merged).resources.limits, { cpu: '3', memory: '2Gi' });
  });

  it('lets a bad environment value fail validation with the key', () => {
    const raw = injectionConfigFromEnv({ FURNACE_INJECT_TOKEN_EXPIRATION_SECONDS: 'ten' });
    assert.match(rejection(raw).message, /tokenExpirationSeconds = "ten"/);
  });
});
