// One `perf script` callchain line → the frame names stackcollapse-perf.pl would emit for it.
// The regular expressions are the perl script's, so odd lines split the same way it splits them.

export interface FrameRules {
  kernel: boolean;
  jit: boolean;
  addrs: boolean;
}

// `ip symbol+off (dso)`, innermost frame first; anything may follow the closing parenthesis. The DSO
// may contain spaces (`/opt/my app/lib.so`): it runs to the line's last `)`.
const FRAME_LINE = /^\s*(\w+)\s*(.+) \((.*)\)/;
const SYMBOL_OFFSET = /\+0x[\da-f]+$/;
// A Go method such as `net/http.(*Client).Do` keeps its parentheses.
const GO_METHOD = /\.\(.*\)\./;
const ARGUMENT_LIST = /\((?!anonymous namespace\)).*/;
const QUOTES = /["']/g;
const KERNEL_DSO = /(^\[|vmlinux$)/;
const JIT_DSO = /\/tmp\/perf-\d+\.map/;

/** Frames of one callchain line in the order perl pushes them (outer first within an inline chain). */
export type FrameLine = readonly string[] | 'skip' | 'unrecognized';

export function parseFrameLine(line: string, isJava: boolean, rules: FrameRules): FrameLine {
  const m = FRAME_LINE.exec(line);
  if (!m) return 'unrecognized';
  const pc = m[1] ?? '';
  const mod = m[3] ?? '';
  const rawfunc = (m[2] ?? '').replace(SYMBOL_OFFSET, '');
  // perf prints a bare `(comm)` in place of a symbol in some modes; the perl script drops it.
  if (rawfunc.startsWith('(')) return 'skip';
  const frames: string[] = [];
  for (const part of splitLikePerl(rawfunc, '->')) {
    frames.push(annotate(tidy(unknownName(part, pc, mod, rules.addrs), isJava), frames.length, mod, rules));
  }
  return frames;
}

function unknownName(func: string, pc: string, mod: string, addrs: boolean): string {
  if (func !== '[unknown]') return func;
  // Name the DSO when perf knows it, so unresolved frames of different libraries stay apart.
  const name = mod !== '[unknown]' ? mod.replace(/.*\//, '') : 'unknown';
  return addrs ? `[${name} <${pc}>]` : `[${name}]`;
}

function tidy(func: string, isJava: boolean): string {
  let out = func.replaceAll(';', ':');
  if (!GO_METHOD.test(out)) out = out.replace(ARGUMENT_LIST, '');
  out = out.replace(QUOTES, '');
  // Java signatures: `Lorg/foo/Bar;.baz(...)` → `org/foo/Bar:.baz`, for process names that start
  // with `java` (so also `java-PID` and `java-PID/TID` under --pid and --tid).
  if (isJava && out.includes('/') && out.startsWith('L')) out = out.slice(1);
  return out;
}

function annotate(func: string, index: number, mod: string, rules: FrameRules): string {
  if (index > 0) return func.includes('_[i]') ? func : `${func}_[i]`;
  if (rules.kernel && KERNEL_DSO.test(mod) && !mod.includes('unknown')) return `${func}_[k]`;
  if (rules.jit && JIT_DSO.test(mod)) return func.includes('_[j]') ? func : `${func}_[j]`;
  return func;
}

/** perl's split: leading empty fields stay, trailing empty fields go. */
export function splitLikePerl(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * What parseFrameLine's result depends on for a plain line (`ip symbol+off (dso)`, one ` (` after the
 * symbol, `)` last): the symbol without its offset and the DSO. Lines at other addresses of the same
 * function share it, so they need not be parsed again. Undefined for any other line, and where the
 * address itself is printed (`[unknown]` with addrs).
 */
export function frameKey(line: string, addrs: boolean): string | undefined {
  let at = 0;
  while (line.charCodeAt(at) === 32 || line.charCodeAt(at) === 9) at++;
  const word = at;
  while (isWordChar(line.charCodeAt(at))) at++;
  if (at === word || line.charCodeAt(at) !== 32) return undefined;
  while (line.charCodeAt(at) === 32) at++;
  // Past the address's blanks the regular expression's `\s*` ends where this loop ends only if the
  // next character is no other kind of white space.
  const next = line.charCodeAt(at);
  if (!(next > 32 && next < 127)) return undefined;
  const open = line.indexOf(' (', at + 1);
  if (open === -1 || line.indexOf(' (', open + 1) !== -1 || line.charCodeAt(line.length - 1) !== 41) {
    return undefined;
  }
  const symbol = line.slice(at, open).replace(SYMBOL_OFFSET, '');
  if (addrs && symbol.includes('[unknown]')) return undefined;
  const dso = line.slice(open + 2, -1);
  return `${dso.length}:${dso}${symbol}`;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
