// What the assistant is shown of anything Furnace answers: the server relays what recorders and the
// profiled programs wrote, so a function name is data of unknown origin. Every string is made printable
// (control, bidi and line-breaking characters replaced), cut to a length, and quoted where it sits in
// prose, so that no name can pass for a line of the server's own text or drive a terminal.
import { printable } from '../safe-output.ts';

/** Longest name (function, pod, container, process) shown; a longer one is cut and says by how much. */
export const MAX_NAME_CHARS = 240;
/** Longest message (a refusal, a warning, an end reason) shown. */
export const MAX_MESSAGE_CHARS = 1000;
/** Longest text answer of a tool; the structured content is bounded by its list caps. */
export const MAX_TEXT_CHARS = 24_000;

// Line and paragraph separators and tabs, which `printable` keeps for the terminal's sake: a name on
// one line of an answer must stay on that line.
const LINE_BREAKING = /[\t\n\u2028\u2029\u0085]/g;

/**
 * `text` made printable on one line and cut to `max` characters, saying how many were left out of
 * `length` (the original's length, when `text` is already a cut of it).
 */
export function boundedName(text: string, max = MAX_NAME_CHARS, length = text.length): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const shown = printable(cut).replace(LINE_BREAKING, '\uFFFD');
  return length > cut.length ? `${shown}…(+${length - cut.length} chars)` : shown;
}

/** A message from the server or a recorder: printable (lines kept), cut to `max` characters. */
export function boundedMessage(text: string, max = MAX_MESSAGE_CHARS): string {
  const shown = printable(text.length > max ? text.slice(0, max) : text);
  return text.length > max ? `${shown}…(+${text.length - max} chars)` : shown;
}

/** A name inside prose: bounded and in double quotes, with quotes and backslashes escaped as JSON does. */
export function quoted(text: string, max = MAX_NAME_CHARS): string {
  return JSON.stringify(boundedName(text, max));
}

/** A tool's text answer, cut at a line end before MAX_TEXT_CHARS with a line that says so. */
export function boundedText(text: string, max = MAX_TEXT_CHARS): string {
  if (text.length <= max) return text;
  const end = text.lastIndexOf('\n', max);
  const kept = text.slice(0, end > 0 ? end : max);
  return `${kept}\n… (answer cut at ${max} characters; the structured content has every listed item)`;
}

/** `0.753` → `75.3 %`. */
export function formatShare(share: number): string {
  return `${(Math.round(share * 1000) / 10).toFixed(1)} %`;
}
