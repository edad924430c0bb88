// The probe structure of a bpftrace program: `attach, attach /predicate/ { block }`, repeated. Pure; the
// tokens come from core/bpftrace/lexer.ts and anything outside this structure is refused (fail closed):
// no preamble (#include, struct definitions, config blocks), a predicate without braces whose
// parentheses balance, a block whose brackets balance.
import { BpftraceLexer, type Token } from './lexer.ts';

export interface AttachPoint {
  text: string;
  offset: number;
}

export interface ProbeBlock {
  attachPoints: AttachPoint[];
  /** The predicate's tokens, without its slashes; undefined when the probe has none. */
  predicate?: Token[];
  /** The block's tokens, without its outer braces. */
  body: Token[];
}

const CLOSERS: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };
const OPENERS = new Set(Object.keys(CLOSERS));
const CLOSING = new Set(Object.values(CLOSERS));

/** Tracks ( [ { nesting; refuses a closer that does not match. Returns the depth after the token. */
function track(lexer: BpftraceLexer, open: string[], token: Token): number {
  if (token.kind !== 'op') return open.length;
  if (OPENERS.has(token.text)) open.push(token.text);
  else if (CLOSING.has(token.text)) {
    const opener = open.pop();
    if (opener === undefined || CLOSERS[opener] !== token.text)
      throw lexer.error(`${token.text} does not close anything here`, token.offset);
  }
  return open.length;
}

function readPredicate(lexer: BpftraceLexer): Token[] {
  const tokens: Token[] = [];
  const open: string[] = [];
  for (;;) {
    if (lexer.skipTrivia()) throw lexer.error('this predicate is never closed with /');
    const token = lexer.next();
    if (token.kind === 'end-predicate') break;
    if (token.kind === 'op' && (token.text === '{' || token.text === '}'))
      throw lexer.error('a predicate may not hold braces', token.offset);
    track(lexer, open, token);
    tokens.push(token);
  }
  if (open.length > 0) throw lexer.error(`this predicate leaves ${open.join('')} open`);
  if (tokens.length === 0) throw lexer.error('this predicate is empty');
  return tokens;
}

function readBlock(lexer: BpftraceLexer): Token[] {
  const tokens: Token[] = [];
  const open = ['{'];
  for (;;) {
    if (lexer.skipTrivia()) throw lexer.error('this block is never closed with }');
    const token = lexer.next();
    if (token.kind === 'end-predicate')
      throw lexer.error(
        'a / before / or { is not understood here (put a division in parentheses)',
        token.offset,
      );
    if (track(lexer, open, token) === 0) return tokens;
    tokens.push(token);
  }
}

/** Checks an attach point as soon as it is read, so that its own refusal comes first. */
export type AttachPointCheck = (point: AttachPoint) => void;

function readProbe(lexer: BpftraceLexer, check: AttachPointCheck): ProbeBlock {
  const read = (): AttachPoint => {
    const point = lexer.readAttachPoint();
    check(point);
    return point;
  };
  const attachPoints = [read()];
  for (;;) {
    if (lexer.skipTrivia()) throw lexer.error('expected { after the probe');
    if (lexer.peek() !== ',') break;
    lexer.expectChar(',', ',');
    lexer.skipTrivia();
    attachPoints.push(read());
  }
  let predicate: Token[] | undefined;
  if (lexer.peek() === '/') {
    lexer.expectChar('/', 'a predicate');
    predicate = readPredicate(lexer);
  }
  lexer.expectChar('{', "a { to open the probe's block (a predicate needs white space before it)");
  const body = readBlock(lexer);
  return predicate === undefined ? { attachPoints, body } : { attachPoints, predicate, body };
}

/** Parses a program into its probes; throws ERR_INVALID_PARAMETER naming the line and what was wrong. */
export function parseBpftraceProgram(
  source: string,
  check: AttachPointCheck = () => undefined,
): { probes: ProbeBlock[]; lexer: BpftraceLexer } {
  const lexer = new BpftraceLexer(source);
  const probes: ProbeBlock[] = [];
  while (!lexer.skipTrivia()) probes.push(readProbe(lexer, check));
  if (probes.length === 0) throw lexer.error('the program has no probe');
  return { probes, lexer };
}
