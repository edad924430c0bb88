// The build id and symbol-table presence of an ELF file on disk (core/elf/elf-facts.ts parses them).
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { parseElfFacts, type ElfFacts } from '../../core/elf/elf-facts.ts';

export type { ElfFacts } from '../../core/elf/elf-facts.ts';

async function readAt(file: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, offset);
  if (bytesRead < length)
    throw new Error(`ELF file ends at ${offset + bytesRead}, before ${offset + length}`);
  return buffer;
}

/** Reads the build id and symbol-table presence of an ELF file; throws for a file that is not ELF. */
export async function readElfFacts(path: string): Promise<ElfFacts> {
  // Never blocks on a FIFO named like a binary, and reads regular files only.
  const file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const info = await file.stat();
    if (!info.isFile()) throw new Error(`${path} is not a regular file`);
    return await parseElfFacts((offset, length) => readAt(file, offset, length), info.size, path);
  } finally {
    await file.close();
  }
}
