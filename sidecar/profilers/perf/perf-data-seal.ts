// Makes the perf.data of a perf that was killed readable. perf writes the header first with a data size
// of 0 and its real size (and the feature sections after the data) only when it finishes; killed, it
// leaves records that are whole up to its last write, which perf script reads once the header says how
// many bytes they take and claims no feature sections that were never written.
import { open, type FileHandle } from 'node:fs/promises';

/** perf_file_header: magic, size, attr_size, attrs {offset, size}, data {offset, size}, features bitmap. */
const DATA_OFFSET_AT = 40;
const DATA_SIZE_AT = 48;
const FEATURES_AT = 72;
const FEATURES_BYTES = 32;
const HEADER_BYTES = FEATURES_AT + FEATURES_BYTES;
/** perf_event_header: u32 type, u16 misc, u16 size. */
const EVENT_HEADER_BYTES = 8;
const PERF_RECORD_SAMPLE = 9;
const CHUNK = 1 << 20;

export interface SealedPerfData {
  /** Samples in the records kept. */
  samples: number;
  /** Bytes of whole records kept. */
  bytes: number;
}

/** Walks the records from `offset`: how many bytes of them are whole, and how many are samples. */
async function wholeRecords(handle: FileHandle, offset: number, end: number): Promise<SealedPerfData> {
  const buffer = Buffer.alloc(CHUNK);
  let at = offset;
  let samples = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, at);
    let pos = 0;
    while (pos + EVENT_HEADER_BYTES <= bytesRead) {
      const size = buffer.readUInt16LE(pos + 6);
      if (size < EVENT_HEADER_BYTES || at + pos + size > end) return { samples, bytes: at + pos - offset };
      if (pos + size > bytesRead) break;
      if (buffer.readUInt32LE(pos) === PERF_RECORD_SAMPLE) samples += 1;
      pos += size;
    }
    if (pos === 0) return { samples, bytes: at - offset };
    at += pos;
  }
}

/**
 * Seals the perf.data a killed perf left: its header gets the size of the whole records written and no
 * feature sections. Undefined when `file` is not a perf.data perf began, or one that perf finished.
 */
export async function sealPerfData(file: string): Promise<SealedPerfData | undefined> {
  const handle = await open(file, 'r+').catch(() => undefined);
  if (handle === undefined) return undefined;
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, 0);
    if (bytesRead < HEADER_BYTES || header.toString('latin1', 0, 8) !== 'PERFILE2') return undefined;
    if (header.readBigUInt64LE(DATA_SIZE_AT) !== 0n) return undefined;
    const offset = Number(header.readBigUInt64LE(DATA_OFFSET_AT));
    const { size } = await handle.stat();
    if (offset < HEADER_BYTES || offset > size) return undefined;
    const kept = await wholeRecords(handle, offset, size);
    const sealed = Buffer.alloc(8 + FEATURES_BYTES);
    sealed.writeBigUInt64LE(BigInt(kept.bytes), 0);
    await handle.write(sealed, 0, 8, DATA_SIZE_AT);
    await handle.write(sealed, 8, FEATURES_BYTES, FEATURES_AT);
    return kept;
  } finally {
    await handle.close();
  }
}
