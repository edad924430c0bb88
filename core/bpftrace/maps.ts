import type { FoldedStacks } from '../stacks/folded.ts';
// Folded stacks from what a bpftrace program printed: every map whose keys hold a `ustack` or `kstack`
// and whose values are counts. bpftrace prints such an entry as
//
//   @name[comm,
//       leaf+12
//       caller+40
//   , ]: 7
//
// frames leaf first, one per indented line, other key parts between them. Each entry becomes one folded
// stack: the other key parts first, then the stacks root first (a later stack of the key sits below an
// earlier one, so `@[kstack, ustack]` reads user code, then the kernel above it). Pure; lines go in one at a
// time, so the output file is read once and never held whole.

const ENTRY_START = /^(@[A-Za-z0-9_]*)\[(.*)$/;
const ENTRY_END = /^(.*)\]: (.*)$/;
const FRAME_LINE = /^\s+\S/;
const OFFSET = /\+\d+$/;

interface Entry {
  map: string;
  lines: string[];
}

function frameName(line: string): string {
  return line.trim().replace(OFFSET, '').replaceAll(';', ':');
}

function scalars(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim().replaceAll(';', ':'))
    .filter((part) => part !== '');
}

/** The key's parts as folded frames, root first; `stacked` says whether it held any frame. */
function foldKey(lines: readonly string[]): { frames: string[]; stacked: boolean } {
  const outer: string[] = [];
  const stacks: string[][] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    if (FRAME_LINE.test(line)) {
      if (current === undefined) stacks.push((current = []));
      current.unshift(frameName(line));
    } else {
      current = undefined;
      outer.push(...scalars(line));
    }
  }
  return { frames: [...outer, ...stacks.reverse().flat()], stacked: stacks.length > 0 };
}

export class BpftraceMapFolder {
  private entry: Entry | undefined;
  /** Per map: folded stack → count, and whether any of its keys held a stack. */
  private readonly maps = new Map<string, { stacks: FoldedStacks; stacked: boolean }>();
  /** Entries printed per map (counted or not): how full a bounded map got. */
  private readonly entries = new Map<string, number>();

  /** How many entries bpftrace printed of one map (`@name`). */
  entriesOf(map: string): number {
    return this.entries.get(map) ?? 0;
  }

  push(line: string): void {
    if (this.entry === undefined) {
      const start = ENTRY_START.exec(line);
      if (start === null) return;
      this.entry = { map: start[1] ?? '@', lines: [] };
      this.continueEntry(start[2] ?? '');
    } else {
      this.continueEntry(line);
    }
  }

  /** Folded stacks of every stack-keyed map; the map's name is the root frame when there are several. */
  result(): FoldedStacks {
    const stacked = [...this.maps].filter(([, map]) => map.stacked);
    const folded: FoldedStacks = new Map();
    for (const [name, map] of stacked) {
      for (const [stack, count] of map.stacks) {
        const key = stacked.length > 1 ? `${name};${stack}` : stack;
        folded.set(key, (folded.get(key) ?? 0) + count);
      }
    }
    return folded;
  }

  private continueEntry(line: string): void {
    const entry = this.entry;
    if (entry === undefined) return;
    const end = FRAME_LINE.test(line) ? null : ENTRY_END.exec(line);
    if (end === null) {
      entry.lines.push(line);
      return;
    }
    entry.lines.push(end[1] ?? '');
    this.entry = undefined;
    this.entries.set(entry.map, this.entriesOf(entry.map) + 1);
    const value = (end[2] ?? '').trim();
    if (!/^\d+$/.test(value)) return; // a histogram or a text value: not a count
    const count = Number(value);
    const { frames, stacked } = foldKey(entry.lines);
    const map = this.maps.get(entry.map) ?? { stacks: new Map<string, number>(), stacked: false };
    this.maps.set(entry.map, map);
    map.stacked ||= stacked;
    if (count <= 0) return;
    const key = frames.join(';') || '[no stack]';
    map.stacks.set(key, (map.stacks.get(key) ?? 0) + count);
  }
}

/** Folds bpftrace's printed output (a whole text; tests and small outputs). */
export function foldBpftraceMaps(text: string): FoldedStacks {
  const folder = new BpftraceMapFolder();
  for (const line of text.split('\n')) folder.push(line);
  return folder.result();
}
