import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { selectExpired } from '../../../server/catalog/retention.ts';
import { paginate } from '../../../server/catalog/pagination.ts';
import { perfParams } from '../../harness/recording-status.ts';

const DAY = 86_400_000;
const now = Date.parse('2026-02-01T00:00:00Z');

function entry(
  id: string,
  daysAgo: number,
  bytes: number,
  state: CatalogEntry['state'] = 'done',
  namespace = 'ns',
): CatalogEntry {
  const at = new Date(now - daysAgo * DAY).toISOString();
  return {
    id,
    namespace,
    pod: 'p',
    state,
    params: perfParams(1),
    startedAt: at,
    endedAt: at,
    artifacts: [{ name: 'perf.data', bytes }],
  };
}

describe('catalog retention', () => {
  const policy = {
    maxCount: 1000,
    maxBytes: 1_000_000,
    maxAgeSeconds: 30 * 86_400,
    namespaceMaxCount: 100,
    namespaceMaxBytes: 1000,
  };

  it('removes recordings older than the age limit', () => {
    assert.deepEqual(selectExpired([entry('a', 40, 1), entry('b', 1, 1)], policy, now), ['a']);
  });

  it('keeps only the newest recordings within the count', () => {
    const entries = [entry('a', 3, 1), entry('b', 2, 1), entry('c', 1, 1)];
    assert.deepEqual(selectExpired(entries, { ...policy, namespaceMaxCount: 2 }, now), ['a']);
  });

  it('removes the oldest recordings until the bytes fit', () => {
    const entries = [entry('a', 3, 400), entry('b', 2, 400), entry('c', 1, 400)];
    assert.deepEqual(selectExpired(entries, policy, now), ['a']);
  });

  it("holds each namespace to its own quota: one namespace's recordings never evict another's", () => {
    const entries = [
      entry('old-b', 9, 1, 'done', 'team-b'),
      entry('hog-1', 2, 1, 'recording', 'team-a'),
      entry('hog-2', 1, 1, 'recording', 'team-a'),
      entry('a-done', 3, 1, 'done', 'team-a'),
    ];
    assert.deepEqual(selectExpired(entries, { ...policy, namespaceMaxCount: 2 }, now), ['a-done']);
  });

  it('never removes a recording that is still running', () => {
    assert.deepEqual(selectExpired([entry('a', 40, 1, 'recording')], policy, now), []);
  });
});

describe('catalog pagination', () => {
  const all = () => true;

  it('pages with a continue token until the end', async () => {
    const items = [1, 2, 3, 4, 5];
    const first = await paginate(items, all, 2, undefined);
    assert.deepEqual(first.items, [1, 2]);
    const second = await paginate(items, all, 2, first.continue);
    assert.deepEqual(second.items, [3, 4]);
    const third = await paginate(items, all, 2, second.continue);
    assert.deepEqual(third, { items: [5] });
    assert.deepEqual(
      await paginate([1, 2], all, 2, undefined),
      { items: [1, 2] },
      'no next page when none follows',
    );
  });

  it('counts only the items kept, and reads no further than one past the page', async () => {
    let read = 0;
    function* numbers() {
      for (let i = 1; i <= 1_000; i++) {
        read += 1;
        yield i;
      }
    }
    const even = (n: number) => Promise.resolve(n % 2 === 0);
    const first = await paginate(numbers(), even, 3, undefined);
    assert.deepEqual(first.items, [2, 4, 6]);
    assert.equal(read, 8, 'the first page stops at the next kept item');
    const second = await paginate(numbers(), even, 3, first.continue);
    assert.deepEqual(second.items, [8, 10, 12]);
  });

  it('refuses a token it did not issue', async () => {
    await assert.rejects(paginate([1], all, 1, 'not-a-token'), /continue/);
  });
});
