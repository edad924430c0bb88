// An uploaded symbol file, treated as hostile until checked: its body goes to a temp file of the server's
// own naming, cut off past symbols.maxBytes (413); then the ELF header and section table are read within
// the file's bounds (core/elf/elf-facts.ts) for the build id (`.note.gnu.build-id`) and the symbol table.
// A file that is not ELF, has no build id or no symbol table is refused (400) naming what is missing.
// Nothing the uploader says (a file name, a build id) is used: the build id is the file's own.
import { randomBytes } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FurnaceError } from '../../core/contract/errors.ts';
import { BUILD_ID } from '../../core/contract/symbols.ts';
import { parseElfFacts, type ElfFacts } from '../../core/elf/elf-facts.ts';

export const MAX_BYTES_SETTING = 'symbols.maxBytes';

export function symbolFileTooLarge(bytes: number, maxBytes: number): FurnaceError {
  return new FurnaceError(
    'ERR_PAYLOAD_TOO_LARGE',
    `symbol file of ${bytes} bytes or more is larger than the limit of ${maxBytes} bytes (${MAX_BYTES_SETTING})`,
    { field: MAX_BYTES_SETTING, limit: maxBytes },
  );
}

function capped(maxBytes: number): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(symbolFileTooLarge(bytes, maxBytes));
      else done(null, chunk);
    },
  });
}

async function factsOf(path: string): Promise<{ facts: ElfFacts; bytes: number }> {
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const { size } = await file.stat();
    const read = async (offset: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, offset);
      if (bytesRead < length) throw new Error(`the file ends at ${offset + bytesRead}`);
      return buffer;
    };
    return { facts: await parseElfFacts(read, size, 'the uploaded file'), bytes: size };
  } finally {
    await file.close();
  }
}

function invalid(message: string): FurnaceError {
  return new FurnaceError('ERR_INVALID_ARTIFACT', message, { field: 'body' });
}

/** The build id of a checked file, or why the file is refused. */
export function checkedBuildId(facts: ElfFacts): string {
  const { buildId } = facts;
  if (buildId === undefined)
    throw invalid(
      'the uploaded file has no GNU build id (no .note.gnu.build-id note): Furnace finds symbol files by build id; link with -Wl,--build-id (Go: -ldflags=-B gobuildid)',
    );
  if (!BUILD_ID.test(buildId))
    throw invalid(`the uploaded file's build id ${buildId.slice(0, 140)} is not 2 to 64 bytes`);
  if (!facts.hasSymbolTable)
    throw invalid(
      `the uploaded file (build id ${buildId}) has no symbol table (.symtab): upload the debug file (objcopy --only-keep-debug) or the binary before strip`,
    );
  return buildId;
}

export interface ReceivedSymbolFile {
  /** The temp file; the caller stores it and then calls `discard`. */
  path: string;
  buildId: string;
  bytes: number;
  discard(): Promise<void>;
}

/** Receives and checks an upload's body into `tmpDir`; throws FurnaceErrors a user can act on. */
export async function receiveSymbolFile(
  body: Readable,
  options: { tmpDir: string; maxBytes: number; declaredBytes: number | undefined },
): Promise<ReceivedSymbolFile> {
  const { maxBytes, declaredBytes } = options;
  if (declaredBytes !== undefined && declaredBytes > maxBytes)
    throw symbolFileTooLarge(declaredBytes, maxBytes);
  const path = join(options.tmpDir, `${randomBytes(12).toString('hex')}.upload`);
  const discard = () => rm(path, { force: true });
  try {
    await pipeline(body, capped(maxBytes), createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    const { facts, bytes } = await factsOf(path).catch((error: Error) => {
      throw invalid(`${error.message}: upload an ELF debug file or binary`);
    });
    return { path, buildId: checkedBuildId(facts), bytes, discard };
  } catch (error) {
    await discard();
    throw error;
  }
}
