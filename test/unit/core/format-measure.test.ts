// The viewer's words for a graph's values: samples as counts, the nanoseconds of offcpu and wall graphs
// as a time with what it measures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureOf } from '../../../core/contract/profile-types.ts';
import { formatMeasure, measureTerm } from '../../../core/render/format-measure.ts';

describe('formatMeasure', () => {
  it('counts samples as before', () => {
    assert.equal(formatMeasure(1234567, measureOf('cpu')), '1,234,567 samples');
    assert.equal(formatMeasure(3, measureOf(undefined)), '3 samples');
  });

  it('puts nanoseconds in the unit that reads best, with what they measure', () => {
    const offcpu = measureOf('offcpu');
    assert.equal(formatMeasure(1_250_000_000, offcpu), '1.25 s off-CPU');
    assert.equal(formatMeasure(12_345_678_901, offcpu), '12.3 s off-CPU');
    assert.equal(formatMeasure(4_010_000_000_000, offcpu), '4,010 s off-CPU');
    assert.equal(formatMeasure(2_500_000, measureOf('wall')), '2.5 ms wall');
    assert.equal(formatMeasure(15_300, offcpu), '15.3 µs off-CPU');
    assert.equal(formatMeasure(42, offcpu), '42 ns off-CPU');
  });
});

describe('the units of pprof and Node profiles', () => {
  it('shows heap and allocs in binary units, goroutines by their noun, lock waits as time', () => {
    assert.equal(formatMeasure(13_107_200, measureOf('heap')), '12.5 MiB in use');
    assert.equal(formatMeasure(2048, measureOf('allocs')), '2 KiB allocated');
    assert.equal(formatMeasure(512, measureOf('heap')), '512 B in use');
    assert.equal(formatMeasure(3 * 2 ** 30, measureOf('allocs')), '3 GiB allocated');
    assert.equal(formatMeasure(40, measureOf('goroutine')), '40 goroutines');
    assert.equal(formatMeasure(2_500_000, measureOf('mutex')), '2.5 ms waited on locks');
    assert.equal(formatMeasure(1_250_000_000, measureOf('block')), '1.25 s blocked');
  });

  it('names the summary’s total for each', () => {
    assert.deepEqual(
      (['cpu', 'offcpu', 'heap', 'allocs', 'goroutine', 'mutex'] as const).map((p) =>
        measureTerm(measureOf(p)),
      ),
      ['Samples', 'Time', 'Bytes', 'Bytes', 'Goroutines', 'Time'],
    );
  });
});
