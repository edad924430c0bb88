// The commands a shell script starts, read from its text: the harness's build scripts and the `sh -c` lines
// of the tests, for test/unit/deploy/command-table.test.ts. Enough of the shell for what test/ writes:
// quotes, $(…) and <(…) inside and outside double quotes, ${…}, $((…)), case patterns, heredocs, comments,
// `if`/`while`/`!`/`exec`, and assignments in front of a command. A word that starts with a substitution
// ("$x", "${tools[@]}", a template literal's ${…}) names no command this can know, and is skipped.

/** Where a template literal had a substitution: a word holding it is not a command name. */
export const HOLE = '\u0000';

const BUILTINS = new Set(
  (
    '. : [ [[ alias break builtin cd command continue declare echo eval exec exit export false getopts hash ' +
    'kill let local mapfile printf pwd read readarray readonly return set shift source test trap true type ' +
    'ulimit umask unset wait'
  ).split(' '),
);
/** Keywords after which the next word is a command. */
const LEADING = new Set(['!', 'if', 'then', 'else', 'elif', 'while', 'until', 'do', 'time']);
/** Keywords that start a segment with no command in it. */
const NO_COMMAND = new Set(['for', 'case', 'select', 'esac', 'fi', 'done', 'function']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;

export interface ShellCommand {
  command: string;
  /** Only looked for (`command -v NAME`), not started. */
  checkOnly: boolean;
  /** 1-based line of the script. */
  line: number;
}

/** The script with heredoc bodies blanked (their lines kept, so line numbers stay). */
function withoutHeredocs(script: string): string {
  const lines = script.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const tag = /(?<!<)<<(?!<)-?\s*['"]?([A-Za-z_]\w*)['"]?/.exec(lines[i] ?? '')?.[1];
    if (tag === undefined) continue;
    for (i++; i < lines.length && (lines[i] ?? '').trim() !== tag; i++) lines[i] = '';
    if (i < lines.length) lines[i] = '';
  }
  return lines.join('\n');
}

const EXEC_OPTIONS = new Set(['-a', '-c', '-l']);

/** Where the command is among a simple command's words: past keywords, assignments and `exec`'s options. */
function commandIndex(words: readonly string[]): number {
  let i = 0;
  while (i < words.length && (LEADING.has(words[i] ?? '') || ASSIGNMENT.test(words[i] ?? ''))) i++;
  if (words[i] !== 'exec') return i;
  for (i++; EXEC_OPTIONS.has(words[i] ?? ''); i++) if (words[i] === '-a') i++;
  return i;
}

function isCommandName(word: string, functions: ReadonlySet<string>): boolean {
  if (word === '' || NO_COMMAND.has(word) || BUILTINS.has(word) || functions.has(word)) return false;
  return !(word.startsWith('$') || word.startsWith('"') || word.includes(HOLE) || /^\d*[<>]/.test(word));
}

/** The command of one simple command's words, with `command -v NAME` told apart. */
function commandOf(
  words: readonly string[],
  functions: ReadonlySet<string>,
): Omit<ShellCommand, 'line'> | undefined {
  const i = commandIndex(words);
  const word = words[i] ?? '';
  const looked = words[i + 2];
  if (word === 'command' && words[i + 1] === '-v' && looked !== undefined)
    return { command: looked, checkOnly: true };
  return isCommandName(word, functions)
    ? { command: word.replace(/^'(.*)'$/, '$1'), checkOnly: false }
    : undefined;
}

interface Scan {
  text: string;
  i: number;
  line: number;
  words: string[];
  word: string;
  /** Line of the segment's first word. */
  start: number;
  /** Inside `case … in`, before a pattern's `)`: words are a pattern, not a command. */
  pattern: boolean;
  found: ShellCommand[];
  functions: ReadonlySet<string>;
}

function endWord(s: Scan): void {
  if (s.word === '') return;
  if (s.words.length === 0) s.start = s.line;
  s.words.push(s.word);
  s.word = '';
  if (s.words.length === 1 && s.words[0] === 'case') s.pattern = false;
  if (s.words.at(-1) === 'in' && s.words[0] === 'case') s.pattern = true;
}

function endSegment(s: Scan): void {
  endWord(s);
  const command = s.pattern ? undefined : commandOf(s.words, s.functions);
  if (command) s.found.push({ ...command, line: s.start });
  if (s.pattern && s.words.includes('esac')) s.pattern = false;
  s.words = [];
}

/**
 * Skips from an opening bracket (`ahead` characters on) to its match, counting nested ones; returns the
 * text skipped.
 */
function skipBalanced(s: Scan, open: string, close: string, ahead = 0): string {
  s.i += ahead;
  const from = s.i;
  for (let depth = 0; s.i < s.text.length; s.i++) {
    const c = s.text[s.i];
    if (c === '\n') s.line++;
    if (c === open) depth++;
    else if (c === close && --depth === 0) break;
  }
  return s.text.slice(from, s.i + 1);
}

/** A double-quoted string from its opening quote: its $(…) are scanned as commands. */
function scanDoubleQuoted(s: Scan): void {
  for (s.i++; s.i < s.text.length && s.text[s.i] !== '"'; s.i++) {
    const c = s.text[s.i];
    if (c === '\\') s.i++;
    else if (c === '\n') s.line++;
    else if (c === '$' && s.text[s.i + 1] === '(') scanNested(s);
  }
}

/** $(…) or <(…) from its `$` or `<`: a script of its own. */
function scanNested(s: Scan): void {
  if (s.text.startsWith('((', s.i + 1)) {
    s.i++;
    skipBalanced(s, '(', ')');
    return;
  }
  const saved = { words: s.words, word: s.word, start: s.start, pattern: s.pattern };
  Object.assign(s, { words: [], word: '', pattern: false });
  for (s.i += 2; s.i < s.text.length && s.text[s.i] !== ')'; s.i++) step(s);
  endSegment(s);
  Object.assign(s, saved);
  s.word += HOLE;
}

function escaped(s: Scan, next: string): void {
  if (next === '\n') s.line++;
  else s.word += next;
  s.i++;
}

function singleQuoted(s: Scan): void {
  const end = s.text.indexOf("'", s.i + 1);
  const quoted = s.text.slice(s.i, end < 0 ? undefined : end + 1);
  s.line += quoted.split('\n').length - 1;
  s.word += quoted;
  s.i += quoted.length - 1;
}

function doubleQuoted(s: Scan): void {
  // Kept as a mark only: a quoted word is not a command name this can read.
  if (s.word === '') s.word = '"';
  scanDoubleQuoted(s);
}

function comment(s: Scan): void {
  while (s.i + 1 < s.text.length && s.text[s.i + 1] !== '\n') s.i++;
}

function separator(s: Scan, c: string, next: string): void {
  endSegment(s);
  if (c === ';' && next === ';') s.pattern = true;
  if (c === '\n') s.line++;
}

type Rule = [(s: Scan, c: string, next: string) => boolean, (s: Scan, c: string, next: string) => void];

/** What each character does, first match wins; any other is part of the word. */
const RULES: Rule[] = [
  [(_, c) => c === '\\', (s, _, next) => escaped(s, next)],
  [(_, c) => c === "'", singleQuoted],
  [(_, c) => c === '"', doubleQuoted],
  [(_, c, next) => (c === '$' || c === '<') && next === '(', scanNested],
  [(_, c, next) => c === '$' && next === '{', (s) => (s.word += '$' + skipBalanced(s, '{', '}', 1))],
  [(s, c) => c === '#' && s.word === '', comment],
  [(s, c) => c === ')' && s.pattern, (s) => Object.assign(s, { words: [], word: '', pattern: false })],
  [(s, c) => c === '(' && s.word.endsWith('='), (s) => (s.word += skipBalanced(s, '(', ')'))],
  [(_, c, next) => c === '(' && next === '(', (s) => skipBalanced(s, '(', ')')],
  [(s, c, next) => c === '&' && (/[<>]$/.test(s.word) || next === '>'), (s, c) => (s.word += c)],
  [(s, c) => ';|&()\n'.includes(c) || ('{}'.includes(c) && s.word === ''), separator],
  [(_, c) => c === ' ' || c === '\t', endWord],
];

function step(s: Scan): void {
  const c = s.text[s.i] ?? '';
  const next = s.text[s.i + 1] ?? '';
  const rule = RULES.find(([applies]) => applies(s, c, next));
  if (rule) rule[1](s, c, next);
  else s.word += c;
}

/** Every command the script starts or looks for, in order. */
export function shellCommands(script: string): ShellCommand[] {
  const text = withoutHeredocs(script);
  const functions = new Set([...text.matchAll(/^\s*([\w-]+)\s*\(\)/gm)].map((m) => m[1] ?? ''));
  const s: Scan = {
    text,
    i: 0,
    line: 1,
    words: [],
    word: '',
    start: 1,
    pattern: false,
    found: [],
    functions,
  };
  for (; s.i < text.length; s.i++) step(s);
  endSegment(s);
  return s.found;
}
