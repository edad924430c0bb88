// perf's options for a start asked ahead (startAt): enableAt, the instant perf switches its events on, while
// it is still ahead when perf starts; one that has passed is dropped and perf starts with its events on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import { validateRecordingParams } from '../../../core/contract/recording-params.ts';
import { readSidecarConfig } from '../../../sidecar/config.ts';
import { aheadOnly, planRecording } from '../../../sidecar/profilers/perf/perf-plan.ts';

const NOW = Date.parse('2026-11-26T18:00:00Z');
const config = readSidecarConfig(
  { FURNACE_SIDECAR_DATA: '/tmp/furnace-unused' },
  { hostname: 'h', tmpDir: tmpdir() },
);

function perfOf(body: object) {
  const params = validateRecordingParams({ pid: 42, ...body }, DEFAULT_LIMITS, NOW);
  const targets = [{ pid: 42, ppid: 1, comm: 'app', cmdline: 'app', nspid: 42 }];
  const input = { id: 'r1', dir: '/tmp/r1', params, callGraph: 'fp' as const, targets, config };
  return planRecording({ ...input, buildIdMmap: false }).perf as { enableAt?: number };
}

describe("perf's options for a start asked ahead", () => {
  it('carry enableAt at startAt, and none without startAt', () => {
    assert.equal(perfOf({ startAt: '2026-11-26T18:00:05Z' }).enableAt, NOW + 5000);
    assert.equal(perfOf({}).enableAt, undefined);
  });

  it('keep an enableAt still ahead when perf starts and drop one that has passed', () => {
    const options = perfOf({ startAt: '2026-11-26T18:00:05Z' });
    assert.equal(aheadOnly(options, NOW + 4999).enableAt, NOW + 5000);
    assert.equal('enableAt' in aheadOnly(options, NOW + 5000), false);
    const now = perfOf({});
    assert.equal(aheadOnly(now, NOW), now, 'options without enableAt come back as they are');
  });
});
