// The catalog index's newest-first order, kept between changes: the order byStartDescending gives, kept
// through every set (new, replaced, moved in time) and delete, and never changed under a reader of an
// order handed out before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { byStartDescending } from '../../../server/catalog/catalog-load.ts';
import { EntryIndex } from '../../../server/catalog/entry-index.ts';
import type { StoredRecording } from '../../../server/catalog/catalog-entry.ts';

function record(id: string, startedAt: string): StoredRecording {
  const entry = { id, namespace: 'ns', pod: 'p', state: 'done', startedAt, params: {}, artifacts: [] };
  return { entry: entry as unknown as CatalogEntry, owner: { namespace: 'ns', pod: 'p' }, receivedAt: 0 };
}

const ids = (entries: readonly CatalogEntry[]) => entries.map((e) => e.id);

describe('the catalog index', () => {
  it('orders entries as byStartDescending does, ties by id', () => {
    const index = new EntryIndex();
    const times = ['2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z'];
    for (let i = 0; i < 30; i++)
      index.set(`r-${(i * 7) % 30}`, record(`r-${(i * 7) % 30}`, times[i % 3] ?? ''));
    const expected = [...index.values()].map((r) => r.entry).sort(byStartDescending);
    assert.deepEqual(ids(index.newestFirst()), ids(expected));
  });

  it('orders again after a set or a delete', () => {
    const index = new EntryIndex();
    index.set('old', record('old', '2026-01-01T00:00:00Z'));
    index.set('mid', record('mid', '2026-01-02T00:00:00Z'));
    assert.deepEqual(ids(index.newestFirst()), ['mid', 'old']);
    index.set('new', record('new', '2026-01-03T00:00:00Z'));
    assert.deepEqual(ids(index.newestFirst()), ['new', 'mid', 'old']);
    index.delete('mid');
    assert.deepEqual(ids(index.newestFirst()), ['new', 'old']);
    index.clear();
    assert.deepEqual(ids(index.newestFirst()), []);
  });

  it('keeps the order byStartDescending gives through many sets, replacements and deletes', () => {
    const index = new EntryIndex();
    const at = (n: number) => new Date(Date.UTC(2026, 0, 1) + (n % 17) * 60_000).toISOString();
    for (let step = 0; step < 400; step++) {
      const id = `r-${(step * 13) % 50}`;
      if (step % 7 === 3) index.delete(id);
      else index.set(id, record(id, at(step * 5)));
      if (step % 10 === 0) index.newestFirst();
    }
    const expected = [...index.values()].map((r) => r.entry).sort(byStartDescending);
    assert.deepEqual(ids(index.newestFirst()), ids(expected));
  });

  it('leaves an order handed out as it was when entries change after', () => {
    const index = new EntryIndex();
    index.set('a', record('a', '2026-01-01T00:00:00Z'));
    index.set('b', record('b', '2026-01-02T00:00:00Z'));
    const read = index.newestFirst();
    index.set('c', record('c', '2026-01-03T00:00:00Z'));
    index.delete('a');
    assert.deepEqual(ids(read), ['b', 'a'], 'the reader’s order is unchanged');
    assert.deepEqual(ids(index.newestFirst()), ['c', 'b']);
  });
});
