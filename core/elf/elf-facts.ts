// What Furnace needs to know of an ELF file without a tool: its GNU build id (the NT_GNU_BUILD_ID note,
// `.note.gnu.build-id`) and whether it has a symbol table (`.symtab`). A stripped binary has neither
// `.symtab` nor DWARF; a debug file made by `objcopy --only-keep-debug` has `.symtab` and the same build id
// as the binary it came from. Pure: the bytes come through a reader, so the recorder reads a file and the
// server an upload the same way. Every offset and size is checked against the file's length before it is
// read: a hostile file can make this answer "no build id", never read past its end or allocate much.

export interface ElfFacts {
  /** Lower-case hex of the NT_GNU_BUILD_ID note; undefined when the file has none. */
  buildId?: string;
  /** Whether a non-empty SHT_SYMTAB section is there (perf then names functions without help). */
  hasSymbolTable: boolean;
}

/** Reads `length` bytes at `offset` (both within the file's size: the parser checks before it asks). */
export type ReadAt = (offset: number, length: number) => Promise<Buffer>;

const SHT_SYMTAB = 2;
const SHT_NOTE = 7;
const NT_GNU_BUILD_ID = 3;
/** More section headers than any real binary has; a file claiming more is not read further. */
const MAX_SECTIONS = 65_535;
/** A build-id note is 16 bytes of header and at most 64 of id; notes sections larger than this are skipped. */
const MAX_NOTE_BYTES = 64 * 1024;
/** The ELF header of a 64-bit file; a 32-bit one is shorter. */
const HEADER_BYTES = 64;

interface Reader {
  u16(offset: number): number;
  u32(offset: number): number;
  /** 32- or 64-bit word, by the file's class. */
  word(offset: number): number;
}

function readerOf(buffer: Buffer, is64: boolean, little: boolean): Reader {
  const u16 = (o: number): number => (little ? buffer.readUInt16LE(o) : buffer.readUInt16BE(o));
  const u32 = (o: number): number => (little ? buffer.readUInt32LE(o) : buffer.readUInt32BE(o));
  const u64 = (o: number): number => Number(little ? buffer.readBigUInt64LE(o) : buffer.readBigUInt64BE(o));
  return { u16, u32, word: is64 ? u64 : u32 };
}

/** The GNU build id among the notes of one SHT_NOTE section's bytes. */
export function buildIdInNotes(notes: Buffer, little: boolean): string | undefined {
  let offset = 0;
  while (offset + 12 <= notes.length) {
    const nameSize = little ? notes.readUInt32LE(offset) : notes.readUInt32BE(offset);
    const descSize = little ? notes.readUInt32LE(offset + 4) : notes.readUInt32BE(offset + 4);
    const type = little ? notes.readUInt32LE(offset + 8) : notes.readUInt32BE(offset + 8);
    const nameStart = offset + 12;
    const descStart = nameStart + Math.ceil(nameSize / 4) * 4;
    const next = descStart + Math.ceil(descSize / 4) * 4;
    if (descStart + descSize > notes.length) return undefined;
    const name = notes.toString('latin1', nameStart, nameStart + nameSize).replace(/\0+$/, '');
    if (type === NT_GNU_BUILD_ID && name === 'GNU' && descSize > 0)
      return notes.toString('hex', descStart, descStart + descSize);
    offset = next;
  }
  return undefined;
}

function within(size: number, offset: number, length: number): boolean {
  return Number.isSafeInteger(offset) && offset >= 0 && length >= 0 && offset + length <= size;
}

/** The section header table: whether a symbol table is there, and the first GNU build-id note. */
async function scanSections(
  read: ReadAt,
  size: number,
  table: { offset: number; entrySize: number; count: number; is64: boolean; little: boolean },
): Promise<ElfFacts> {
  const { entrySize, count, is64, little } = table;
  if (!within(size, table.offset, entrySize * count)) return { hasSymbolTable: false };
  const sections = readerOf(await read(table.offset, entrySize * count), is64, little);
  let buildId: string | undefined;
  let hasSymbolTable = false;
  for (let index = 0; index < count; index++) {
    const base = index * entrySize;
    const type = sections.u32(base + 4);
    const offset = sections.word(base + (is64 ? 0x18 : 0x10));
    const bytes = sections.word(base + (is64 ? 0x20 : 0x14));
    if (type === SHT_SYMTAB && bytes > 0) hasSymbolTable = true;
    if (type === SHT_NOTE && buildId === undefined && bytes > 0 && bytes <= MAX_NOTE_BYTES)
      if (within(size, offset, bytes)) buildId = buildIdInNotes(await read(offset, bytes), little);
  }
  return { ...(buildId === undefined ? {} : { buildId }), hasSymbolTable };
}

/**
 * Reads the build id and symbol-table presence of the ELF file of `size` bytes behind `read`; throws for a
 * file that is not ELF (naming `name`).
 */
export async function parseElfFacts(read: ReadAt, size: number, name: string): Promise<ElfFacts> {
  if (size < HEADER_BYTES) throw new Error(`${name} is not an ELF file (${size} bytes)`);
  const ident = await read(0, HEADER_BYTES);
  if (ident.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${name} is not an ELF file`);
  const is64 = ident[4] === 2;
  const little = ident[5] === 1;
  const header = readerOf(ident, is64, little);
  const sectionOffset = header.word(is64 ? 0x28 : 0x20);
  const entrySize = header.u16(is64 ? 0x3a : 0x2e);
  const count = header.u16(is64 ? 0x3c : 0x30);
  if (count === 0 || count > MAX_SECTIONS || entrySize < (is64 ? 64 : 40)) return { hasSymbolTable: false };
  return await scanSections(read, size, { offset: sectionOffset, entrySize, count, is64, little });
}
