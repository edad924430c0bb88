// The folded-stacks text format shared with FlameGraph's scripts: `comm;outer;…;inner count` per line.

/** Folded stacks: `comm;outer;…;inner` → count (summed sample periods, as the perl script does). */
export type FoldedStacks = Map<string, number>;

// Like flamegraph.pl: the count is the last field; a stack may itself contain spaces.
const FOLDED_LINE = /^(.*?)\s+(\d+(?:\.\d*)?)\s*$/;
const SURROGATE = /[\uD800-\uDFFF]/;

/** One line per stack, sorted by code point like perl's `sort { $a cmp $b }` over UTF-8 bytes. */
export function formatFolded(stacks: FoldedStacks): string {
  return [...foldedPieces(stacks)].join('');
}

/** formatFolded's text in pieces of `linesPerPiece` lines, to be written without one big string. */
export function* foldedPieces(stacks: FoldedStacks, linesPerPiece = 4096): Generator<string> {
  const keys = [...stacks.keys()];
  // Without surrogates, JavaScript's own UTF-16 order is code point order, and sorts much faster.
  if (keys.some((key) => SURROGATE.test(key))) keys.sort(compareCodePoints);
  else keys.sort();
  for (let from = 0; from < keys.length; from += linesPerPiece) {
    const lines = keys.slice(from, from + linesPerPiece);
    for (let i = 0; i < lines.length; i++) lines[i] = `${lines[i]} ${stacks.get(lines[i] as string)}\n`;
    yield lines.join('');
  }
}

/** Reads folded text (CRLF too); repeated stacks add up, lines without a count are ignored. */
export function parseFolded(text: string): FoldedStacks {
  const stacks: FoldedStacks = new Map();
  for (const line of text.split('\n')) {
    const m = FOLDED_LINE.exec(line);
    if (!m || m[1] === undefined || m[1] === '') continue;
    const count = Number(m[2]);
    if (!(count > 0)) continue;
    stacks.set(m[1], (stacks.get(m[1]) ?? 0) + count);
  }
  return stacks;
}

/** How many lines of folded text are not blank yet hold no stack with a count (what parseFolded ignores). */
export function invalidFoldedLines(text: string): number {
  let invalid = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = FOLDED_LINE.exec(line);
    if (!m || m[1] === undefined || m[1] === '' || !(Number(m[2]) > 0)) invalid += 1;
  }
  return invalid;
}

export function totalSamples(stacks: FoldedStacks): number {
  let total = 0;
  for (const count of stacks.values()) total += count;
  return total;
}

/**
 * Code point order, which is also the byte order of UTF-8. JavaScript's `<` compares UTF-16 units
 * and puts characters above U+FFFF before U+E000–U+FFFF; this puts them after, as perl does.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return surrogateRank(x) - surrogateRank(y);
    return x - y;
  }
  return a.length - b.length;
}

// High surrogates start characters above U+FFFF, which sort after every BMP character.
function surrogateRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit;
}
