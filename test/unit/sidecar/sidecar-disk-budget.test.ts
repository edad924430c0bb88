// The sidecar's disk budget: how a recording is fitted to what is free, promised bytes, and the budget
// made from the volume's size limit.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../core/config/config-error.ts';
import { readSidecarConfig } from '../../../sidecar/config.ts';
import { budgetRecording, createDiskBudget, diskUsage } from '../../../sidecar/host/disk-budget.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

const MiB = 1024 * 1024;
const defaults = { hostname: 'h', tmpDir: '/tmp' };

describe('sidecar disk budget', () => {
  it('gives perf.data a quarter of what is free, and refuses to start when almost nothing is', () => {
    const fit = budgetRecording({
      free: 100 * MiB,
      limitBytes: 900 * MiB,
      configuredPerfDataBytes: 256 * MiB,
      buildIds: 'scan',
      binaryBytes: undefined,
    });
    assert.deepEqual(fit, { perfDataBytes: 25 * MiB, buildIds: 'scan', warnings: [] });
    assert.throws(
      () =>
        budgetRecording({
          free: 100_000,
          limitBytes: 900 * MiB,
          configuredPerfDataBytes: 256 * MiB,
          buildIds: 'scan',
          binaryBytes: undefined,
        }),
      (error: { code: string; message: string }) =>
        error.code === 'ERR_QUOTA_EXCEEDED' && /100000 bytes free/.test(error.message),
    );
  });

  it("keeps perf record's build-id cache only when the targets' binaries fit, and says so otherwise", () => {
    const input = { free: 400 * MiB, limitBytes: 900 * MiB, configuredPerfDataBytes: 256 * MiB };
    assert.equal(budgetRecording({ ...input, buildIds: 'cache', binaryBytes: 50 * MiB }).buildIds, 'cache');
    const big = budgetRecording({ ...input, buildIds: 'cache', binaryBytes: 500 * MiB });
    assert.equal(big.buildIds, 'scan');
    assert.match(big.warnings.join(), /no build-id cache: \d+ bytes of binaries would not fit/);
    assert.equal(budgetRecording({ ...input, buildIds: 'cache', binaryBytes: undefined }).buildIds, 'scan');
  });

  it('counts what the directory holds and what a writer was promised, until it is released', async (t) => {
    const dir = await tempDir(t, 'furnace-budget-');
    await writeFile(`${dir}/kept`, Buffer.alloc(10_000));
    const sizes = new Map<string, number>([[`${dir}/perf.data`, 1000]]);
    const budget = createDiskBudget(dir, 100_000, {
      usage: diskUsage,
      size: (path) => Promise.resolve(sizes.get(path) ?? 0),
    });
    const held = await diskUsage(dir);
    assert.ok(held >= 10_000);
    assert.equal(await budget.free(), 100_000 - held);
    const release = budget.reserve(`${dir}/perf.data`, 30_000);
    assert.equal(await budget.free(), 100_000 - held - 29_000);
    release();
    assert.equal(await budget.free(), 100_000 - held);
  });

  it('is 90 % of the output volume size limit, and keeps kept recordings to half of it', () => {
    const pod = { FURNACE_POD_UID: 'u', FURNACE_OUTPUT_SIZE_LIMIT: '1Gi' };
    const config = readSidecarConfig(pod, defaults);
    assert.equal(config.diskBudgetBytes, Math.floor(1024 * MiB * 0.9));
    assert.equal(config.keepBytes, Math.floor(config.diskBudgetBytes / 2));
    assert.equal(
      readSidecarConfig({ FURNACE_POD_UID: 'u' }, defaults).diskBudgetBytes,
      config.diskBudgetBytes,
    );
    assert.throws(
      () => readSidecarConfig({ ...pod, FURNACE_KEEP_BYTES: String(2 * 1024 * MiB) }, defaults),
      (error: ConfigError) =>
        error.key === 'FURNACE_KEEP_BYTES' && /half the disk budget/.test(error.allowed),
    );
    assert.throws(
      () => readSidecarConfig({ FURNACE_OUTPUT_SIZE_LIMIT: 'lots' }, defaults),
      (error: ConfigError) => error.key === 'FURNACE_OUTPUT_SIZE_LIMIT',
    );
  });
});
