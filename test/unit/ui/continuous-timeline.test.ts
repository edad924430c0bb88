// The timeline's arithmetic (core/continuous/continuous-timeline.ts) and the Continuous page's URL state
// (ui/src/continuous/continuous-url.ts): round bucket widths within the bucket limit, a window's bucket,
// samples counted as parseFolded counts them, and the page's parameters in and out of its URL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bucketCount,
  bucketOf,
  bucketWidth,
  countFoldedSamples,
  MAX_TIMELINE_BUCKETS,
} from '../../../core/continuous/continuous-timeline.ts';
import { parseFolded, totalSamples } from '../../../core/stacks/folded.ts';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { continuousHref } from '../../../ui/src/continuous/continuous-href.ts';
import { formatLocation, parseLocation, DEFAULT_VIEW } from '../../../ui/src/routing/url-state.ts';

const HOUR = 3_600_000;

describe('the continuous timeline', () => {
  it('picks the narrowest round width within the bucket limit', () => {
    assert.equal(bucketWidth(0, HOUR), 15_000);
    assert.equal(bucketWidth(0, 10 * 60_000), 5_000);
    assert.equal(bucketWidth(0, 24 * HOUR), 10 * 60_000);
    assert.equal(bucketWidth(0, 7 * 24 * HOUR), HOUR);
    for (const span of [1, 59_999, HOUR + 1, 3 * 24 * HOUR + 17, 7 * 24 * HOUR])
      assert.ok(bucketCount(0, span, bucketWidth(0, span)) <= MAX_TIMELINE_BUCKETS, `span ${span}`);
  });

  it('puts a window in the bucket of its start, clamped into the range', () => {
    assert.equal(bucketOf(1_000 + 15_000, 1_000, 15_000, 4), 1);
    assert.equal(bucketOf(0, 1_000, 15_000, 4), 0, 'a window that started before the range');
    assert.equal(bucketOf(10 * HOUR, 1_000, 15_000, 4), 3);
  });

  it('counts samples as parseFolded adds them up', () => {
    const text = 'a;b 3\r\na;c 4\n\nno count\n a 2 \nx;y 1.5\n';
    assert.equal(countFoldedSamples(text), totalSamples(parseFolded(text)));
  });
});

describe('the Continuous page in its URL', () => {
  it('keeps namespace, filters, range and both brushed ranges, and drops what is malformed', () => {
    const url =
      '/continuous?ns=shop&workload=Deployment%2Fweb&pod=web-1&container=app&from=1000&to=5000&a=1000-2000&b=3000-4000&zoom=1.2';
    const location = parseLocation('/continuous', url.slice(url.indexOf('?')));
    assert.deepEqual(location.page, {
      kind: 'continuous',
      params: {
        namespace: 'shop',
        workload: 'Deployment/web',
        pod: 'web-1',
        container: 'app',
        range: { from: 1000, to: 5000 },
        a: { from: 1000, to: 2000 },
        b: { from: 3000, to: 4000 },
      },
    });
    assert.deepEqual(location.view.zoom, [1, 2]);
    assert.equal(formatLocation(location), url);
    const versus = parseLocation('/continuous', '?ns=shop&a=1000-2000&vs=Deployment%2Fdb');
    assert.deepEqual(versus.page, {
      kind: 'continuous',
      params: { namespace: 'shop', a: { from: 1000, to: 2000 }, vs: 'Deployment/db' },
    });
    const bad = parseLocation('/continuous', '?ns=Shop!&from=5&to=1&a=9-3&b=1-2&pod=..%2Fx');
    assert.deepEqual(bad.page, { kind: 'continuous', params: {} });
    assert.equal(
      formatLocation({ page: { kind: 'continuous', params: {} }, view: DEFAULT_VIEW }),
      '/continuous',
    );
  });

  it('links a recording to its pod from half an hour before to half an hour after, its own span brushed', () => {
    const entry = {
      namespace: 'shop',
      pod: 'web-1',
      startedAt: '2026-03-01T12:00:00.000Z',
      endedAt: '2026-03-01T12:00:30.000Z',
    } as CatalogEntry;
    const start = Date.parse(entry.startedAt);
    const href = continuousHref(entry) ?? '';
    const { page } = parseLocation('/continuous', href.slice(href.indexOf('?')));
    assert.deepEqual(page, {
      kind: 'continuous',
      params: {
        namespace: 'shop',
        pod: 'web-1',
        range: { from: start - 1_800_000, to: start + 30_000 + 1_800_000 },
        a: { from: start, to: start + 30_000 },
      },
    });
  });
});
