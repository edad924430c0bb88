// The heap a shared catalog's index holds per entry, in-process: BENCH_CATALOG_HEAP_ENTRIES (20,000)
// RecordingEntry objects as a bucket-backed server writes them (test/harness/recording-entries.ts: a real
// perf recording's nine artifacts with their keys), each taken as the watch takes it (recordOf, then the
// index) and then dropped, the order made once as the first page makes it. Prints the heap after a full
// collection before and after, per entry, and the time to take them. Needs `--expose-gc`:
//   bash scripts/with-node24.sh node --expose-gc --import tsx test/bench/catalog-heap.ts
import { EntryIndex } from '../../server/catalog/entry-index.ts';
import { recordOf } from '../../server/catalog/kube-entries.ts';
import { filledEntryId, recordingEntryObject } from '../harness/recording-entries.ts';
import { runBench } from './bench-kit.ts';

const COUNT = Number(process.env.BENCH_CATALOG_HEAP_ENTRIES ?? 20_000);

function liveHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

await runBench('bench:catalog-heap', () => {
  const now = Date.now();
  // The objects' texts as the watch's events carry them (each event parsed, then dropped).
  const texts = Array.from({ length: COUNT }, (_, i) =>
    JSON.stringify(
      recordingEntryObject('bench-catalog', filledEntryId(i), `web-${i % 50}`, now - (COUNT - i) * 1000),
    ),
  );
  const before = liveHeap();
  const started = performance.now();
  const index = new EntryIndex();
  for (const text of texts) {
    const record = recordOf(JSON.parse(text) as Parameters<typeof recordOf>[0], now);
    if (record === undefined) throw new Error('an entry was refused');
    index.set(record.entry.id, record);
  }
  index.newestFirst();
  const took = performance.now() - started;
  const after = liveHeap();
  const perEntry = (after - before) / COUNT;
  process.stdout.write(
    `${COUNT} entries (${(texts.reduce((n, t) => n + t.length, 0) / COUNT).toFixed(0)} bytes of JSON an object): taken in ${took.toFixed(0)} ms; heap after a full collection ${(before / 2 ** 20).toFixed(1)} → ${(after / 2 ** 20).toFixed(1)} MiB, **${perEntry.toFixed(0)} bytes an entry** (${((perEntry * 100_000) / 2 ** 20).toFixed(1)} MiB for 100,000)\n`,
  );
  if (index.size !== COUNT) throw new Error('lost entries');
  return Promise.resolve();
});
