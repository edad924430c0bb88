// The catalog's quotas at configuration time: the namespaces an installation expects, each at its full
// quota, fit the whole catalog's ceiling, and the ceiling fits the catalog's volume. An installation
// where they do not is refused at start, naming the settings, instead of filling up for 30 days.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../core/config/config-error.ts';
import { resolveConfig, type ServerConfig } from '../../../server/config/config.ts';
import { expectedError } from '../../harness/expected-error.ts';
import { furnaceOf, loadPlannedConfig, planWith } from '../../harness/furnace-plan.ts';

const GiB = 1024 ** 3;

function resolve(retention: Record<string, unknown>, recorder: Record<string, unknown> = {}): ServerConfig {
  return resolveConfig({ file: { path: 'config.yaml', raw: { retention, recorder } }, env: {}, local: true });
}

const refusal = (run: () => unknown) => expectedError(ConfigError, run, 'expected a ConfigError');

describe('retention settings', () => {
  it('defaults to quotas whose expected namespaces fit the ceiling, and a ceiling that fits the volume', () => {
    const { retention, limits } = resolve({});
    assert.ok(retention.namespaceMaxBytes * 4 <= retention.maxBytes, 'four namespaces fit the ceiling');
    assert.ok(retention.namespaceMaxCount * 4 <= retention.maxCount);
    assert.ok(retention.maxBytes <= 10 * GiB * 0.8, "the operator's 10Gi volume, with room to spare");
    assert.ok(limits.maxArtifactBytes <= retention.namespaceMaxBytes);
    const small = resolve({ volumeBytes: 2 * GiB }).retention;
    assert.ok(small.maxBytes <= 2 * GiB && small.namespaceMaxBytes * 4 <= small.maxBytes);
  });

  it('refuses namespace quotas that the expected namespaces cannot all have, naming the settings', () => {
    const error = refusal(() => resolve({ namespaceMaxBytes: 4 * GiB, maxBytes: 10 * GiB }));
    assert.equal(error.key, 'retention.namespaceMaxBytes');
    assert.match(error.message, /retention\.expectedNamespaces \(4\).*retention\.maxBytes \(10737418240\)/);
    assert.equal(
      resolve({ namespaceMaxBytes: 4 * GiB, maxBytes: 10 * GiB, expectedNamespaces: 2 }).retention
        .namespaceMaxBytes,
      4 * GiB,
    );
    const count = refusal(() => resolve({ namespaceMaxCount: 200 }));
    assert.equal(count.key, 'retention.namespaceMaxCount');
    assert.match(count.message, /retention\.maxCount \(500\)/);
  });

  it('refuses a ceiling larger than the catalog volume', () => {
    const error = refusal(() => resolve({ volumeBytes: 4 * GiB, maxBytes: 6 * GiB }));
    assert.equal(error.key, 'retention.maxBytes');
    assert.match(error.message, /retention\.volumeBytes/);
  });

  it('reads the upload timeout of the recorder listener: 600 s unless set', () => {
    assert.equal(resolve({}).uploadTimeoutSeconds, 600);
    assert.equal(resolve({}, { uploadTimeoutSeconds: 30 }).uploadTimeoutSeconds, 30);
    assert.equal(
      refusal(() => resolve({}, { uploadTimeoutSeconds: 0 })).key,
      'recorder.uploadTimeoutSeconds',
    );
  });
});

describe('retention settings the operator writes', () => {
  it('fit the catalog volume the operator claims, whatever its size', async () => {
    for (const [storageSize, bytes] of [
      ['10Gi', 10 * GiB],
      ['1Gi', GiB],
      ['500Gi', 500 * GiB],
    ] as const) {
      const objects = planWith(furnaceOf({ catalog: { storageSize } }, 1), { optedInNamespaces: [] });
      const { retention } = await loadPlannedConfig(objects);
      assert.ok(retention.maxBytes <= bytes, `${storageSize}: ceiling ${retention.maxBytes}`);
      assert.ok(retention.namespaceMaxBytes * 4 <= retention.maxBytes, storageSize);
    }
  });
});
