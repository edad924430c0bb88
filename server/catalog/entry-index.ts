// The catalog's index: stored records by id, and their newest-first order kept between changes. Sorting
// 100,000 entries by parsing their start times in the comparator took 100 to 250 ms, on every list call;
// the order is made once, with each time parsed once, and then kept: a change of one entry moves that
// entry alone (found by a binary search, spliced in place), so a first page after a write elsewhere is
// still a slice, not a sort of the catalog. An order handed out is never changed under its reader (a
// page is read across awaits): the first change after it works on a copy (100,000 references, well
// under a millisecond). Records are held compactly (held-record.ts) and made whole when read.
import type { CatalogEntry } from '../../core/contract/recording.ts';
import type { StoredRecording } from './catalog-entry.ts';
import { holdRecord, storedRecordOf, type HeldRecord } from './held-record.ts';

/** Newest first by start time, then by id: byStartDescending's order, on times parsed once. */
function compareKeyed(a: CatalogEntry, aTime: number, b: CatalogEntry, bTime: number): number {
  return bTime - aTime || a.id.localeCompare(b.id);
}

/** Stored records by id, held compactly: each one read is made whole (a new object, the entry the one held). */
export class EntryIndex {
  readonly #held = new Map<string, HeldRecord>();
  #newestFirst: CatalogEntry[] | undefined;
  /** Whether #newestFirst has been handed out since it last changed (then it is copied before a change). */
  #handedOut = false;

  get size(): number {
    return this.#held.size;
  }

  has(id: string): boolean {
    return this.#held.has(id);
  }

  get(id: string): StoredRecording | undefined {
    const held = this.#held.get(id);
    return held && storedRecordOf(held);
  }

  /** The entry of recording `id`, without making its record whole. */
  entry(id: string): CatalogEntry | undefined {
    return this.#held.get(id)?.entry;
  }

  /** Every record, each made whole as it is reached. */
  *values(): IterableIterator<StoredRecording> {
    for (const held of this.#held.values()) yield storedRecordOf(held);
  }

  /** Every entry, in no order, without making records whole. */
  *entries(): IterableIterator<CatalogEntry> {
    for (const held of this.#held.values()) yield held.entry;
  }

  set(id: string, record: StoredRecording): this {
    const before = this.#held.get(id);
    const held = holdRecord(record);
    this.#held.set(id, held);
    if (this.#newestFirst !== undefined) {
      if (before !== undefined) this.#unplace(before.entry);
      this.#place(held.entry);
    }
    return this;
  }

  delete(id: string): boolean {
    const before = this.#held.get(id);
    if (before !== undefined && this.#newestFirst !== undefined) this.#unplace(before.entry);
    return this.#held.delete(id);
  }

  clear(): void {
    this.#newestFirst = undefined;
    this.#held.clear();
  }

  /** Every entry, newest first by start time, then by id (byStartDescending's order). */
  newestFirst(): readonly CatalogEntry[] {
    this.#newestFirst ??= sortNewestFirst([...this.entries()]);
    this.#handedOut = true;
    return this.#newestFirst;
  }

  /** Where `entry` goes in the order: the first position whose entry does not come before it. */
  #position(order: readonly CatalogEntry[], entry: CatalogEntry): number {
    const time = Date.parse(entry.startedAt);
    let low = 0;
    let high = order.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = order[middle] as CatalogEntry;
      if (compareKeyed(other, Date.parse(other.startedAt), entry, time) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The order to change in place: a copy when the one kept was handed out. */
  #changeable(): CatalogEntry[] | undefined {
    if (this.#handedOut && this.#newestFirst !== undefined) {
      this.#newestFirst = this.#newestFirst.slice();
      this.#handedOut = false;
    }
    return this.#newestFirst;
  }

  #place(entry: CatalogEntry): void {
    const order = this.#changeable();
    if (order !== undefined) order.splice(this.#position(order, entry), 0, entry);
  }

  /** Takes the entry out of the order; when it is not where its key says (never expected), the order is made again. */
  #unplace(entry: CatalogEntry): void {
    const order = this.#changeable();
    if (order === undefined) return;
    const at = this.#position(order, entry);
    if (order[at] === entry) order.splice(at, 1);
    else this.#newestFirst = undefined;
  }
}

function sortNewestFirst(entries: CatalogEntry[]): CatalogEntry[] {
  const keyed = entries.map((entry) => ({ entry, time: Date.parse(entry.startedAt) }));
  keyed.sort((a, b) => compareKeyed(a.entry, a.time, b.entry, b.time));
  return keyed.map((k) => k.entry);
}
