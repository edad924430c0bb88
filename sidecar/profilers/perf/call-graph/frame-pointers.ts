// Whether a binary keeps frame pointers, judged from its own code: a function that keeps one sets the
// frame-pointer register from the stack pointer in its prologue (`mov %rsp,%rbp` on x86-64, `mov x29, sp` on
// arm64), and a build with -fomit-frame-pointer leaves that out everywhere but in the few functions that
// need a frame (variable-length arrays, alloca). So the share of sampled functions that do it tells the two
// builds apart: Debian's nginx, libc and libcrypto 0–2 %, programs built with -fno-omit-frame-pointer
// 40–80 % (leaf functions and the C runtime's start-up code do without). Go programs always keep them.
import { readlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { openRegularInRoot, UnsafeFileError } from '../../../host/safe-copy.ts';
import { EM_AARCH64, EM_X86_64, ElfError, readElfCode, type ElfCode } from './elf-code.ts';

export type FramePointers = 'yes' | 'no' | 'unknown';

export interface BinaryVerdict {
  /** The binary's file name, as the reason says it. */
  name: string;
  framePointers: FramePointers;
  /** Why, in words: the share found, or what could not be read. */
  why: string;
}

/** How many function entries are looked at, spread over the binary. */
export const SAMPLED_FUNCTIONS = 128;
/** How far into a function its frame is looked for (gcc may schedule other instructions in between). */
const PROLOGUE_BYTES = 32;
/** The share of functions that set up a frame pointer above which the binary has them. */
export const FRAME_POINTER_SHARE = 0.2;
/** Fewer functions than this in the unwind table and the share says nothing. */
const MIN_FUNCTIONS = 4;
/** Only a few kilobytes of a binary are read, whatever its size. */
const ANY_SIZE = Number.MAX_SAFE_INTEGER;

const X86_64_FRAME_SETUPS = [Buffer.from([0x48, 0x89, 0xe5]), Buffer.from([0x48, 0x8b, 0xec])];
/** `mov x29, sp` (`add x29, sp, #0`), little-endian. */
const AARCH64_FRAME_SETUP = 0x910003fd;

function setsUpFrame(machine: number, prologue: Buffer): boolean {
  if (machine === EM_X86_64) return X86_64_FRAME_SETUPS.some((bytes) => prologue.includes(bytes));
  for (let at = 0; at + 4 <= prologue.length; at += 4)
    if (prologue.readUInt32LE(at) === AARCH64_FRAME_SETUP) return true;
  return false;
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

/** The verdict on one binary's code (pure). */
export function judgeElfCode(code: ElfCode): Omit<BinaryVerdict, 'name'> {
  if (code.go) return { framePointers: 'yes', why: 'a Go program (Go keeps frame pointers)' };
  if (code.machine !== EM_X86_64 && code.machine !== EM_AARCH64)
    return { framePointers: 'unknown', why: `machine ${code.machine} is not x86-64 or arm64` };
  if (code.functions === 0)
    return { framePointers: 'unknown', why: 'no unwind table to find its functions in' };
  if (code.prologues.length < MIN_FUNCTIONS)
    return { framePointers: 'unknown', why: `${code.prologues.length} functions in its unwind table` };
  const withFrame = code.prologues.filter((p) => setsUpFrame(code.machine, p)).length;
  const share = withFrame / code.prologues.length;
  const found = `${percent(share)} of ${code.prologues.length} sampled functions set up a frame pointer`;
  return { framePointers: share >= FRAME_POINTER_SHARE ? 'yes' : 'no', why: found };
}

const UNSAFE_IN_WORDS: Readonly<Record<UnsafeFileError['reason'], string>> = {
  'not-regular': 'not a regular file',
  'too-large': 'too large',
  'too-many-links': 'too many symbolic links',
  changed: 'replaced while it was opened',
};

/** Why a file was not judged, in a few words: never the error's message, which names the target's path. */
function whyUnread(error: unknown): string {
  if (error instanceof ElfError) return error.message;
  if (error instanceof UnsafeFileError) return UNSAFE_IN_WORDS[error.reason];
  return `unreadable (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
}

/** The verdict on the file at `path` as seen from `root` (a process's /proc/PID/root, or `/`). */
export async function checkBinary(root: string, path: string): Promise<BinaryVerdict> {
  const name = basename(path);
  try {
    const { handle, size } = await openRegularInRoot(root, path, ANY_SIZE);
    try {
      const code = await readElfCode(handle, size, {
        sample: SAMPLED_FUNCTIONS,
        prologueBytes: PROLOGUE_BYTES,
      });
      return { name, ...judgeElfCode(code) };
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { name, framePointers: 'unknown', why: whyUnread(error) };
  }
}

/** The path of a process's main executable inside its own root (readlink of exe in its /proc directory). */
export async function executableOf(procDir: string): Promise<string | undefined> {
  const link = await readlink(`${procDir}/exe`).catch(() => undefined);
  return link?.replace(/ \(deleted\)$/, '');
}
