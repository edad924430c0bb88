// Reads what the frame-pointer check needs from an ELF file, and no more: the machine, whether it is a Go
// program (its build-id note), and the first bytes of a sample of its functions. Function starts come from
// `.eh_frame_hdr`, the sorted table of unwind entries that the loader maps for exceptions: every C, C++ and
// Rust binary has it, and stripping does not remove it (a symbol table would be gone). Only the program
// headers are read, so binaries without section headers work too. The file may be hostile (a target's
// own): every offset is checked against the file, counts are capped, and anything unexpected is an error.
import type { FileHandle } from 'node:fs/promises';

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;

const PT_LOAD = 1;
const PT_NOTE = 4;
const PT_GNU_EH_FRAME = 0x6474e550;
/** Go's build-id note: owner "Go", type 4 (cmd/link writes it into every Go ELF binary). */
const GO_NOTE_TYPE = 4;
const MAX_PROGRAM_HEADERS = 256;
const MAX_NOTE_BYTES = 64 * 1024;

// DWARF pointer encodings that .eh_frame_hdr uses (LSB Core, "DWARF Exception Header Encoding").
const DW_EH_PE_UDATA4 = 0x03;
const DW_EH_PE_SDATA4 = 0x0b;
const DW_EH_PE_DATAREL_SDATA4 = 0x3b;

export class ElfError extends Error {
  override name = 'ElfError';
}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

export interface ElfCode {
  machine: number;
  /** A Go program (the toolchain keeps frame pointers on amd64 and arm64). */
  go: boolean;
  /** Function starts in the unwind table: how many there are in all. */
  functions: number;
  /** The first `prologueBytes` bytes of each sampled function (fewer where the file ends). */
  prologues: Buffer[];
}

async function readAt(file: FileHandle, size: number, offset: number, length: number): Promise<Buffer> {
  if (offset < 0 || length < 0 || offset + length > size)
    throw new ElfError(`${length} bytes at ${offset} are outside the file (${size} bytes)`);
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, offset);
  if (bytesRead !== length) throw new ElfError(`short read at ${offset}`);
  return buffer;
}

/** A u64 that must fit a JavaScript number (file offsets and addresses of real binaries do). */
function u64(buffer: Buffer, at: number): number {
  const value = buffer.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`value ${value} at ${at} is too large`);
  return Number(value);
}

async function readSegments(
  file: FileHandle,
  size: number,
): Promise<{ machine: number; segments: Segment[] }> {
  const header = await readAt(file, size, 0, Math.min(size, 64));
  if (header.length < 4 || header.readUInt32BE(0) !== 0x7f454c46) throw new ElfError('not an ELF file');
  if (header.length < 64) throw new ElfError('a truncated ELF header');
  if (header[4] !== 2 || header[5] !== 1) throw new ElfError('not a 64-bit little-endian ELF file');
  const machine = header.readUInt16LE(18);
  const phoff = u64(header, 32);
  const phentsize = header.readUInt16LE(54);
  const phnum = header.readUInt16LE(56);
  if (phentsize < 56 || phnum > MAX_PROGRAM_HEADERS) throw new ElfError('unexpected program headers');
  const table = await readAt(file, size, phoff, phentsize * phnum);
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    segments.push({
      type: table.readUInt32LE(at),
      offset: u64(table, at + 8),
      vaddr: u64(table, at + 16),
      filesz: u64(table, at + 32),
    });
  }
  return { machine, segments };
}

/** The file offset of a virtual address, through the loadable segment that holds it. */
function fileOffsetOf(segments: readonly Segment[], address: number): number | undefined {
  const load = segments.find((s) => s.type === PT_LOAD && address >= s.vaddr && address < s.vaddr + s.filesz);
  return load === undefined ? undefined : load.offset + (address - load.vaddr);
}

/** Whether a note segment holds Go's build-id note. */
function hasGoNote(notes: Buffer): boolean {
  let at = 0;
  while (at + 12 <= notes.length) {
    const namesz = notes.readUInt32LE(at);
    const descsz = notes.readUInt32LE(at + 4);
    const type = notes.readUInt32LE(at + 8);
    const name = notes.subarray(at + 12, at + 12 + namesz);
    if (type === GO_NOTE_TYPE && name.toString('latin1').replace(/\0+$/, '') === 'Go') return true;
    at += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4;
  }
  return false;
}

async function isGoProgram(file: FileHandle, size: number, segments: readonly Segment[]): Promise<boolean> {
  for (const note of segments.filter((s) => s.type === PT_NOTE)) {
    const length = Math.min(note.filesz, MAX_NOTE_BYTES);
    if (hasGoNote(await readAt(file, size, note.offset, length))) return true;
  }
  return false;
}

/** `count` indexes spread evenly over `0..total-1` (all of them when there are fewer). */
export function spreadIndexes(total: number, count: number): number[] {
  if (total <= count) return Array.from({ length: total }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.floor(((i + 0.5) * total) / count));
}

/** Function starts (virtual addresses) of a sample of the unwind table's entries. */
async function sampledFunctionStarts(
  file: FileHandle,
  size: number,
  header: Segment,
  sample: number,
): Promise<{ functions: number; starts: number[] }> {
  const head = await readAt(file, size, header.offset, 12);
  const [version, framePointerEncoding, countEncoding, tableEncoding] = [head[0], head[1], head[2], head[3]];
  if (version !== 1) throw new ElfError(`.eh_frame_hdr version ${version}`);
  // The count is read at byte 8, so eh_frame_ptr must take 4 bytes (udata4 or sdata4, pc-relative or not).
  const pointerFormat = (framePointerEncoding ?? 0) & 0x0f;
  if (pointerFormat !== DW_EH_PE_UDATA4 && pointerFormat !== DW_EH_PE_SDATA4)
    throw new ElfError(`.eh_frame_hdr eh_frame_ptr encoding 0x${(framePointerEncoding ?? 0).toString(16)}`);
  if (countEncoding !== DW_EH_PE_UDATA4 && countEncoding !== DW_EH_PE_SDATA4)
    throw new ElfError(`.eh_frame_hdr count encoding 0x${(countEncoding ?? 0).toString(16)}`);
  if (tableEncoding !== DW_EH_PE_DATAREL_SDATA4)
    throw new ElfError(`.eh_frame_hdr table encoding 0x${(tableEncoding ?? 0).toString(16)}`);
  const functions = head.readUInt32LE(8);
  if (functions * 8 > header.filesz - 12) throw new ElfError(`.eh_frame_hdr claims ${functions} entries`);
  const starts: number[] = [];
  for (const index of spreadIndexes(functions, sample)) {
    const entry = await readAt(file, size, header.offset + 12 + index * 8, 4);
    starts.push(header.vaddr + entry.readInt32LE(0));
  }
  return { functions, starts };
}

/**
 * The machine, Go-ness and a sample of function prologues of the ELF file open at `file` (`size` bytes).
 * Throws ElfError when the file is not one this reads.
 */
export async function readElfCode(
  file: FileHandle,
  size: number,
  options: { sample: number; prologueBytes: number },
): Promise<ElfCode> {
  const { machine, segments } = await readSegments(file, size);
  const go = await isGoProgram(file, size, segments);
  const hdr = segments.find((s) => s.type === PT_GNU_EH_FRAME);
  if (hdr === undefined) return { machine, go, functions: 0, prologues: [] };
  const { functions, starts } = await sampledFunctionStarts(file, size, hdr, options.sample);
  const prologues: Buffer[] = [];
  for (const start of starts) {
    const offset = fileOffsetOf(segments, start);
    if (offset === undefined) continue;
    prologues.push(await readAt(file, size, offset, Math.min(options.prologueBytes, size - offset)));
  }
  return { machine, go, functions, prologues };
}
