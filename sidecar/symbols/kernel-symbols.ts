// A copy of the kernel's symbol table for `perf script --kallsyms`, shared by a recorder's recordings and
// its continuous windows. perf script reads /proc/kallsyms three times when it has no copy (120,000
// lines, made up by the kernel on each read, 4 KiB at a time): with 3,000 samples that was about a
// third of its CPU, on the way from Stop to the flame graph. The copy leaves out the `__pfx_` symbols
// (the padding before each function, about half the lines), which perf would parse and keep for nothing
// but the odd return address just past a function that ends in a call: with them perf names the next
// function's padding there, without them the function itself. The copy is made again when the loaded
// modules change or it is older than `maxAgeMs`, so kernel frames resolve as from /proc/kallsyms itself
// (the symbols of BPF programs come from perf's own events either way). Where the kernel hides its
// addresses (only zeros, kptr_restrict) no copy is used: perf then reads /proc/kallsyms as it would
// without one.
import { open, rename, rm } from 'node:fs/promises';

export interface KernelSymbolsDeps {
  /** At most the first `maxBytes` of a file, as text. */
  readText(path: string, maxBytes: number): Promise<string>;
  /**
   * Writes the copy of `from` to `to` (streaming: a /proc file has no size to copy by), readable by its
   * owner only; a reader of `to` sees the old copy or the new one, never half of it.
   */
  copy(from: string, to: string): Promise<void>;
  now(): number;
  /** Where the copy is written. */
  path: string;
  procRoot?: string;
}

/** Gives the copy's path for the next perf script, or undefined: let perf read /proc/kallsyms. */
export type KernelSymbols = () => Promise<string | undefined>;

/** Refresh at least this often, whatever the modules say. */
export const KALLSYMS_MAX_AGE_MS = 10 * 60_000;

/** Whether kallsyms text (its first lines) shows real addresses, not only zeros (kptr_restrict). Pure. */
export function showsAddresses(text: string): boolean {
  return /^0*[1-9a-f][0-9a-f]* /m.test(text);
}

const PADDING_LINE = /^[0-9a-f]+ [A-Za-z] __pfx_[^\n]*\n/gm;

/** kallsyms lines (whole ones) without the `__pfx_` padding symbols. Pure. */
export function withoutPaddingSymbols(lines: string): string {
  return lines.replace(PADDING_LINE, '');
}

/** One read's room; the kernel gives /proc/kallsyms about 4 KiB a read whatever is asked. */
const READ_BYTES = 64 << 10;
/** Kept lines are written once this many have gathered. */
const WRITE_CHARS = 1 << 20;

/**
 * The real copy, written beside and renamed. One buffer is read into again and again: a stream's reads
 * each take a fresh buffer of their full size, and with 1 MiB ones the 1,300 short reads of /proc/kallsyms
 * cost half a second of CPU in allocation and garbage collection at every recorder's start (`cat` takes
 * 40 ms).
 */
export async function copyWithoutPadding(from: string, to: string): Promise<void> {
  const partial = `${to}.partial`;
  try {
    const source = await open(from, 'r');
    try {
      const target = await open(partial, 'w', 0o600);
      try {
        await copyLines(source, target);
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
    await rename(partial, to);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

type Opened = Awaited<ReturnType<typeof open>>;

/** Whole lines without padding symbols; a line cut between reads waits for its end. */
async function copyLines(source: Opened, target: Opened): Promise<void> {
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  let rest = '';
  let kept = '';
  for (;;) {
    const { bytesRead } = await source.read(buffer, 0, READ_BYTES, null);
    if (bytesRead === 0) break;
    const text = rest + buffer.toString('latin1', 0, bytesRead);
    const end = text.lastIndexOf('\n') + 1;
    rest = text.slice(end);
    kept += withoutPaddingSymbols(text.slice(0, end));
    if (kept.length >= WRITE_CHARS) {
      await target.writeFile(kept, 'latin1');
      kept = '';
    }
  }
  // A last line without its newline is kept as it came.
  kept += withoutPaddingSymbols(`${rest}\n`).slice(0, rest.length);
  await target.writeFile(kept, 'latin1');
}

async function readHead(path: string, maxBytes: number): Promise<string> {
  const file = await open(path);
  try {
    const buffer = Buffer.alloc(maxBytes);
    const { bytesRead } = await file.read(buffer, 0, maxBytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
}

/**
 * The copy's keeper: each call checks /proc/modules (and the copy's age) and makes the copy again when
 * needed. Calls run one after the other, so two never write the copy at once.
 */
export function kernelSymbolsCopy(deps: KernelSymbolsDeps, maxAgeMs = KALLSYMS_MAX_AGE_MS): KernelSymbols {
  const proc = deps.procRoot ?? '/proc';
  let made: { modules: string; at: number; usable: boolean } | undefined;
  const refresh = async (): Promise<string | undefined> => {
    try {
      const modules = await deps.readText(`${proc}/modules`, 256 << 10).catch(() => '');
      const fresh = made && made.modules === modules && deps.now() - made.at < maxAgeMs;
      if (!fresh) {
        await deps.copy(`${proc}/kallsyms`, deps.path);
        const usable = showsAddresses(await deps.readText(deps.path, 4096));
        made = { modules, at: deps.now(), usable };
      }
      return made?.usable === true ? deps.path : undefined;
    } catch {
      made = undefined;
      return undefined;
    }
  };
  let last: Promise<string | undefined> = Promise.resolve(undefined);
  return () => (last = last.then(refresh));
}

/** The recorder's copy at `path`, made from the real /proc. */
export function createKernelSymbolsCopy(path: string): KernelSymbols {
  return kernelSymbolsCopy({ readText: readHead, copy: copyWithoutPadding, now: () => Date.now(), path });
}
