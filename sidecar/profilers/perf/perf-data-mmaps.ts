// perf record learns where a running process's code is mapped by reading /proc/TGID/task/TGID/maps as it
// attaches (perf 6.1; -p TID and -t TID read the same file). A process whose main thread has exited
// (pthread_exit) while others run has a zombie leader with empty maps, so perf records its samples but
// perf script names none of their frames. The recorder reads the maps of a live thread instead
// (live-task.ts) and writes them into perf.data before perf script reads it: one PERF_RECORD_MMAP2 event
// per executable file mapping, as perf's own synthesized ones are (time 0, so they come before every
// sample), inserted at the start of the data section. Each live thread gets the events under its own TID
// as pid: perf script then gives that thread maps of its own (threads it starts later inherit them), and
// opens the binaries in the mount namespace of /proc/TID (the zombie leader's namespace links are gone,
// and a target in a container would otherwise be looked for in the recorder's filesystem).
import { copyFile, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { leaderlessMaps } from '../../host/live-task.ts';
import { resolveInRoot } from '../../host/safe-copy.ts';
import { readElfFacts } from '../../symbols/elf-facts.ts';

/** A process, its live threads, and their /proc maps text (one address space). */
export interface ProcessMaps {
  pid: number;
  threads: readonly number[];
  maps: string;
  /**
   * Build ids (hex) of the mapped files by path, read while the process ran: the events then carry them,
   * and perf script finds a binary in the build-id cache once the process and its files are gone.
   */
  buildIds?: ReadonlyMap<string, string>;
}

/** perf_file_header: magic, size, attr_size, attrs {offset, size}, data {offset, size}, event_types, features. */
const HEADER_BYTES = 104;
const ATTR_SIZE_AT = 16;
const ATTRS_AT = 24;
const DATA_AT = 40;
const FEATURES_AT = 72;
const FEATURE_BITMAP_BYTES = 32;
/** perf_event_attr: sample_type at 24, the flags word (sample_id_all is bit 18) at 40. */
const ATTR_SAMPLE_TYPE_AT = 24;
const ATTR_FLAGS_AT = 40;
const SAMPLE_ID_ALL = 1n << 18n;
/** Sample types that add 8 bytes each to a non-sample event's trailing sample_id (TID, TIME, ID, CPU, STREAM_ID, IDENTIFIER). */
const SAMPLE_ID_BITS = [1n << 1n, 1n << 2n, 1n << 6n, 1n << 7n, 1n << 9n, 1n << 16n];
const PERF_RECORD_MMAP2 = 10;
const PERF_RECORD_MISC_USER = 2;
const PERF_RECORD_MISC_MMAP_BUILD_ID = 1 << 14;
const BUILD_ID_MAX_BYTES = 20;
const MOVE_CHUNK = 1 << 20;

export interface ExecutableMapping {
  start: bigint;
  end: bigint;
  offset: bigint;
  major: number;
  minor: number;
  inode: bigint;
  prot: number;
  flags: number;
  path: string;
}

/** The file-backed executable mappings of /proc maps text, as perf synthesizes them. Pure. */
export function parseMapsForPerf(maps: string): ExecutableMapping[] {
  const mappings: ExecutableMapping[] = [];
  for (const line of maps.split('\n')) {
    const match =
      /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+([0-9a-f]+)\s+([0-9a-f]+):([0-9a-f]+)\s+(\d+)\s+(\/.*)$/.exec(
        line,
      );
    if (match === null) continue;
    const [, start, end, perms, offset, major, minor, inode, path] = match as unknown as string[];
    if (perms?.[2] !== 'x' || path === undefined) continue;
    mappings.push({
      start: BigInt(`0x${start}`),
      end: BigInt(`0x${end}`),
      offset: BigInt(`0x${offset}`),
      major: parseInt(major ?? '0', 16),
      minor: parseInt(minor ?? '0', 16),
      inode: BigInt(inode ?? '0'),
      prot: (perms[0] === 'r' ? 1 : 0) | (perms[1] === 'w' ? 2 : 0) | 4,
      flags: perms[3] === 's' ? 1 : 2, // MAP_SHARED or MAP_PRIVATE
      path,
    });
  }
  return mappings;
}

/**
 * One PERF_RECORD_MMAP2 event for process (or thread) `pid`, with a zeroed sample_id of `idBytes`: with the
 * file's build id when given (as `perf record --buildid-mmap` writes them), else its device and inode. Pure.
 */
export function mmap2Event(
  pid: number,
  mapping: ExecutableMapping,
  idBytes: number,
  buildId?: string,
): Buffer {
  const name = Buffer.from(`${mapping.path}\0`, 'utf8');
  const nameBytes = Math.ceil(name.length / 8) * 8;
  const size = 72 + nameBytes + idBytes;
  const event = Buffer.alloc(size);
  event.writeUInt32LE(PERF_RECORD_MMAP2, 0);
  const id = buildId === undefined ? undefined : Buffer.from(buildId, 'hex');
  const withId = id !== undefined && id.length > 0 && id.length <= BUILD_ID_MAX_BYTES;
  event.writeUInt16LE(PERF_RECORD_MISC_USER | (withId ? PERF_RECORD_MISC_MMAP_BUILD_ID : 0), 4);
  event.writeUInt16LE(size, 6);
  event.writeUInt32LE(pid, 8);
  event.writeUInt32LE(pid, 12);
  event.writeBigUInt64LE(mapping.start, 16);
  event.writeBigUInt64LE(mapping.end - mapping.start, 24);
  event.writeBigUInt64LE(mapping.offset, 32);
  if (withId) {
    event.writeUInt8(id.length, 40);
    id.copy(event, 44);
  } else {
    event.writeUInt32LE(mapping.major, 40);
    event.writeUInt32LE(mapping.minor, 44);
    event.writeBigUInt64LE(mapping.inode, 48);
    // ino_generation (56) stays 0, as perf leaves it for maps read from /proc.
  }
  event.writeUInt32LE(mapping.prot, 64);
  event.writeUInt32LE(mapping.flags, 68);
  name.copy(event, 72);
  return event;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead !== length)
    throw new Error(`perf.data ends at ${position + bytesRead}, before ${position + length}`);
  return buffer;
}

/** Bytes of the sample_id perf appends to every non-sample event, from the first attr. */
function sampleIdBytes(attr: Buffer): number {
  if ((attr.readBigUInt64LE(ATTR_FLAGS_AT) & SAMPLE_ID_ALL) === 0n) return 0;
  const sampleType = attr.readBigUInt64LE(ATTR_SAMPLE_TYPE_AT);
  return 8 * SAMPLE_ID_BITS.filter((bit) => (sampleType & bit) !== 0n).length;
}

function featureCount(header: Buffer): number {
  let count = 0;
  for (let i = 0; i < FEATURE_BITMAP_BYTES; i++) {
    for (let byte = header[FEATURES_AT + i] ?? 0; byte !== 0; byte >>= 1) count += byte & 1;
  }
  return count;
}

/** Moves bytes [from, end) of the file `by` bytes further, last chunk first (the regions overlap). */
async function shiftTail(handle: FileHandle, from: number, end: number, by: number): Promise<void> {
  for (let stop = end; stop > from;) {
    const start = Math.max(from, stop - MOVE_CHUNK);
    const chunk = await readAt(handle, start, stop - start);
    await handle.write(chunk, 0, chunk.length, start + by);
    stop = start;
  }
}

/**
 * Writes the executable mappings of `processes` into a finished perf.data (file mode) as MMAP2 events at
 * the start of its data section, moving the rest and the feature sections along. The edit is made on a copy
 * that replaces the file only once whole, so a recorder killed mid-way leaves the samples as perf wrote them
 * (a resumed recording then adds the events again). Returns how many events it wrote; 0 leaves the file as
 * it was.
 */
export async function addMmapEvents(file: string, processes: readonly ProcessMaps[]): Promise<number> {
  const edited = `${file}.mmaps`;
  try {
    await copyFile(file, edited);
    const added = await insertMmapEvents(edited, processes);
    if (added > 0) await rename(edited, file);
    return added;
  } finally {
    await rm(edited, { force: true });
  }
}

async function insertMmapEvents(file: string, processes: readonly ProcessMaps[]): Promise<number> {
  const handle = await open(file, 'r+');
  try {
    const header = await readAt(handle, 0, HEADER_BYTES);
    if (header.toString('latin1', 0, 8) !== 'PERFILE2')
      throw new Error(`${file} is not a perf.data file of perf record (no PERFILE2 header)`);
    const attrSize = Number(header.readBigUInt64LE(ATTR_SIZE_AT));
    const attr = await readAt(handle, Number(header.readBigUInt64LE(ATTRS_AT)), attrSize);
    const idBytes = sampleIdBytes(attr);
    const events = processes.flatMap(({ threads, maps, buildIds }) => {
      const mappings = parseMapsForPerf(maps);
      return threads.flatMap((tid) =>
        mappings.map((mapping) => mmap2Event(tid, mapping, idBytes, buildIds?.get(mapping.path))),
      );
    });
    if (events.length === 0) return 0;
    const inserted = Buffer.concat(events);
    const dataOffset = Number(header.readBigUInt64LE(DATA_AT));
    const dataSize = Number(header.readBigUInt64LE(DATA_AT + 8));
    const { size: fileSize } = await handle.stat();
    await shiftTail(handle, dataOffset, fileSize, inserted.length);
    await handle.write(inserted, 0, inserted.length, dataOffset);
    // The feature sections' table follows the data; every section it points to moved with it.
    const tableAt = dataOffset + dataSize + inserted.length;
    const table = await readAt(handle, tableAt, 16 * featureCount(header));
    for (let at = 0; at < table.length; at += 16) {
      const offset = table.readBigUInt64LE(at);
      if (offset >= BigInt(dataOffset)) table.writeBigUInt64LE(offset + BigInt(inserted.length), at);
    }
    await handle.write(table, 0, table.length, tableAt);
    header.writeBigUInt64LE(BigInt(dataSize + inserted.length), DATA_AT + 8);
    await handle.write(header, 0, HEADER_BYTES, 0);
    return events.length;
  } finally {
    await handle.close();
  }
}

/**
 * The targets among `pids` whose main thread has exited: their live threads, maps and the build ids of the
 * mapped files (read inside a live thread's root), for addMmapEvents once perf has stopped.
 */
export async function readLeaderlessMappings(
  pids: readonly number[],
  procRoot = '/proc',
): Promise<ProcessMaps[]> {
  const found: ProcessMaps[] = [];
  for (const process of await leaderlessMaps(pids, procRoot)) {
    const root = `${procRoot}/${process.pid}/task/${process.threads[0] ?? process.pid}/root`;
    const buildIds = new Map<string, string>();
    for (const { path } of parseMapsForPerf(process.maps)) {
      if (buildIds.has(path)) continue;
      const facts = await resolveInRoot(root, path)
        .then((file) => readElfFacts(file))
        .catch(() => undefined);
      if (facts?.buildId !== undefined) buildIds.set(path, facts.buildId);
    }
    found.push({ ...process, buildIds });
  }
  return found;
}
