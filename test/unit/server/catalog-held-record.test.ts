// The catalog index holds records compactly (server/catalog/held-record.ts): what it gives back is the
// record it was given, field for field, keys of the s3 store's form packed and any other kept as it is.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredRecording } from '../../../server/catalog/catalog-entry.ts';
import { EntryIndex } from '../../../server/catalog/entry-index.ts';
import { holdRecord, packKeys, storedRecordOf, unpackKeys } from '../../../server/catalog/held-record.ts';
import { recordOf } from '../../../server/catalog/kube-entries.ts';
import { recordingEntryObject } from '../../harness/recording-entries.ts';

/** A bucket-backed entry of a real perf recording, read back as a replica reads it. */
function perfRecord(id: string, keyRoot = 'prefix/'): StoredRecording {
  const at = Date.parse('2026-11-25T10:00:00Z');
  const object = recordingEntryObject('ns-a', id, 'web-1', at, keyRoot);
  const record = recordOf(JSON.parse(JSON.stringify(object)) as typeof object, at + 60_000);
  assert.ok(record);
  return record;
}

describe('a record as the catalog index holds it', () => {
  it('gives back the record it was given, with the s3 store’s keys packed into one string', () => {
    const record = perfRecord('20261125-100000-abcd');
    const held = holdRecord(record);
    assert.equal(held.objects, undefined, 'the keys are packed');
    assert.equal(held.keyTails?.length, 9 * 9, 'a name and 8 bytes for each of nine keys');
    assert.deepEqual(storedRecordOf(held), record);
    assert.equal(Object.keys(record.objects ?? {}).length, 9);
  });

  it('shares repeated strings and processes between entries', () => {
    const a = holdRecord(perfRecord('rec-a')).entry;
    const b = holdRecord(perfRecord('rec-b')).entry;
    assert.equal(a.targets, b.targets, 'one kept list of processes');
    assert.ok(Object.isFrozen(a.targets), 'a shared list cannot be changed under another entry');
    assert.equal(a.artifacts[0]?.name, b.artifacts[0]?.name);
  });

  it('keeps keys of any other form as they are', () => {
    const record = perfRecord('rec-c');
    const cases: NonNullable<StoredRecording['objects']>[] = [
      { 'perf.data': 'elsewhere/rec-c/perf.data' },
      { 'perf.data': 'p/rec-c/perf.data.0123456789ABCDEF' },
      {
        'perf.data': 'p/rec-c/perf.data.0123456789abcdef',
        'flamegraph.svg': 'q/rec-c/flamegraph.svg.0123456789abcdef',
      },
      { 'perf.data': 'p/other/perf.data.0123456789abcdef' },
    ];
    for (const objects of cases) {
      assert.equal(packKeys('rec-c', objects), undefined, JSON.stringify(objects));
      const held = holdRecord({ ...record, objects });
      assert.deepEqual(storedRecordOf(held).objects, objects);
    }
    const { objects: _none, ...legacy } = record;
    assert.deepEqual(storedRecordOf(holdRecord(legacy)), legacy, 'no keys: the legacy <id>/<name> ones');
  });

  it('packs and unpacks every byte of a suffix and an empty root', () => {
    const objects = { 'stacks.folded': 'rec-d/stacks.folded.00ff7f80010203fe' };
    const packed = packKeys('rec-d', objects);
    assert.ok(packed);
    assert.deepEqual(unpackKeys('rec-d', packed.keyRoot, packed.keyTails), objects);
  });

  it('is what the index gives back, whole, by id and in its order', () => {
    const index = new EntryIndex();
    const records = ['rec-1', 'rec-2'].map((id) => perfRecord(id));
    for (const record of records) index.set(record.entry.id, record);
    assert.deepEqual(index.get('rec-2'), records[1]);
    assert.deepEqual(index.entry('rec-1'), records[0]?.entry);
    assert.deepEqual([...index.values()], records);
    assert.equal(index.newestFirst().length, 2);
  });
});
