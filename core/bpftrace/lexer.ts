// A tokenizer for the part of the bpftrace language that Furnace lets users run (bpftrace 0.17, Debian 12).
// It is strict on purpose: anything it does not know is refused, and the program that bpftrace finally
// sees is printed back from these tokens (core/bpftrace/scope.ts), never spliced from the user's text.
// Comments vanish, strings are re-escaped, and each token, printed alone between spaces, lexes in
// bpftrace as the same single token; so the probe structure the scoper sees is the one bpftrace sees.
import { FurnaceError } from '../contract/errors.ts';

export type TokenKind = 'ident' | 'number' | 'string' | 'variable' | 'map' | 'op' | 'end-predicate';

export interface Token {
  kind: TokenKind;
  /** The token as it is printed back: strings quoted and escaped, everything else as written. */
  text: string;
  /** Offset in the source, for error messages. */
  offset: number;
}

export const PROGRAM_FIELD = 'bpftrace.program';

/** Operators, longest first so that `<<=` wins over `<<` and `<`. */
const OPERATORS = [
  '<<=', '>>=',
  '==', '!=', '<=', '>=', '<<', '>>', '&&', '||', '++', '--', '->',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
  '+', '-', '*', '/', '%', '&', '|', '^', '!', '~', '.', '<', '>', '=', '?', ':', ';', ',',
  '(', ')', '[', ']', '{', '}',
]; // prettier-ignore

const STRING_ESCAPES: Readonly<Record<string, string>> = {
  n: '\\n',
  t: '\\t',
  r: '\\r',
  '"': '\\"',
  '\\': '\\\\',
};
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(?:0[xX][0-9a-fA-F]+|[0-9]+)(?![A-Za-z0-9_])/y;
/** bpftrace ends a predicate at a `/` that is followed (after white space) by `/` or `{`. */
const END_PREDICATE = /\/(?=[ \t\r\n]*[/{])/y;
/** What an attach point may be made of; core/bpftrace/scope.ts checks each kind more closely. */
const ATTACH_POINT = /[A-Za-z0-9_:./*+-]+/y;

export class BpftraceLexer {
  private pos = 0;

  private readonly source: string;

  constructor(source: string) {
    this.source = source;
  }

  /** A refusal naming the field, the line and column, and what was wrong. */
  error(message: string, offset = this.pos): FurnaceError {
    const before = this.source.slice(0, offset).split('\n');
    const where = `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
    return new FurnaceError('ERR_INVALID_PARAMETER', `${PROGRAM_FIELD} is refused at ${where}: ${message}`, {
      field: PROGRAM_FIELD,
      line: before.length,
    });
  }

  get offset(): number {
    return this.pos;
  }

  /** Skips white space and comments; true when the source is used up. */
  skipTrivia(): boolean {
    for (;;) {
      const rest = this.source.slice(this.pos, this.pos + 2);
      const ch = rest[0];
      if (ch === undefined) return true;
      if (/[ \t\r\n]/.test(ch)) this.pos++;
      else if (rest === '//') this.skipUntil('\n', false);
      else if (rest === '/*') this.skipUntil('*/', true);
      else return false;
    }
  }

  peek(): string | undefined {
    return this.source[this.pos];
  }

  expectChar(ch: string, what: string): void {
    if (this.skipTrivia() || this.source[this.pos] !== ch) throw this.error(`expected ${what}`);
    this.pos++;
  }

  /** The run of characters an attach point is made of (`kprobe:vfs_read`, `uprobe:/bin/sh:main`). */
  readAttachPoint(): { text: string; offset: number } {
    ATTACH_POINT.lastIndex = this.pos;
    const match = ATTACH_POINT.exec(this.source);
    if (this.source[this.pos] === '#') throw this.preprocessor();
    if (match === null) throw this.error('expected a probe such as kprobe:vfs_read or BEGIN');
    const offset = this.pos;
    this.pos += match[0].length;
    return { text: match[0], offset };
  }

  /** The next token; the caller has checked that the source is not used up. */
  next(): Token {
    this.skipTrivia();
    const offset = this.pos;
    const ch = this.source[offset] ?? '';
    if (ch === '"') return this.readString();
    if (ch === '#') throw this.preprocessor();
    if (ch === "'") throw this.error("character literals (') are not supported");
    if (ch === '$' || ch === '@') return this.readName(ch);
    const number = this.match(NUMBER);
    if (number !== undefined) return { kind: 'number', text: number, offset };
    if (/[0-9]/.test(ch)) throw this.error('numbers are decimal or 0x hexadecimal, with nothing after them');
    const ident = this.match(IDENT);
    if (ident !== undefined) return { kind: 'ident', text: ident, offset };
    if (this.match(END_PREDICATE) !== undefined) return { kind: 'end-predicate', text: '/', offset };
    const operator = OPERATORS.find((op) => this.source.startsWith(op, offset));
    if (operator === undefined) throw this.error(`character ${JSON.stringify(ch)} is not understood`);
    this.pos += operator.length;
    return { kind: 'op', text: operator, offset };
  }

  private preprocessor(): FurnaceError {
    return this.error('preprocessor lines (#include, #define) are not allowed: kernel types come from BTF');
  }

  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const match = pattern.exec(this.source);
    if (match === null) return undefined;
    this.pos += match[0].length;
    return match[0];
  }

  private skipUntil(end: string, required: boolean): void {
    const found = this.source.indexOf(end, this.pos + 2);
    if (found < 0 && required) throw this.error('this comment is never closed');
    this.pos = found < 0 ? this.source.length : found + end.length;
  }

  /** `$name`, `$1` (a positional parameter) or `@name`, `@` (the anonymous map). */
  private readName(sigil: string): Token {
    const offset = this.pos;
    this.pos++;
    const name = this.match(sigil === '$' ? /[A-Za-z_][A-Za-z0-9_]*|[0-9]+/y : IDENT) ?? '';
    if (sigil === '$' && name === '') throw this.error('$ must be followed by a variable name or a number');
    return { kind: sigil === '$' ? 'variable' : 'map', text: sigil + name, offset };
  }

  /** A string literal, printed back with only the escapes bpftrace 0.17 knows. */
  private readString(): Token {
    const offset = this.pos;
    let text = '"';
    for (this.pos++; ; this.pos++) {
      const ch = this.source[this.pos];
      if (ch === undefined || ch === '\n') throw this.error('this string is never closed', offset);
      if (ch === '"') break;
      if (ch === '\\') {
        const escaped = STRING_ESCAPES[this.source[this.pos + 1] ?? ''];
        if (escaped === undefined) throw this.error('strings may only escape \\n, \\t, \\r, \\" and \\\\');
        text += escaped;
        this.pos++;
      } else if (ch < ' ' || ch === '\x7f') {
        throw this.error('strings may not hold control characters');
      } else {
        text += ch;
      }
    }
    this.pos++;
    return { kind: 'string', text: `${text}"`, offset };
  }
}
