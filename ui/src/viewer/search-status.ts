// The search box's text → a RegExp or the reason it is not one; the matched share as the status text.

export type ParsedSearch = { ok: true; pattern: RegExp | undefined } | { ok: false; message: string };

export function parseSearch(text: string): ParsedSearch {
  if (text === '') return { ok: true, pattern: undefined };
  try {
    return { ok: true, pattern: new RegExp(text) };
  } catch (error) {
    return { ok: false, message: `Not a regular expression: ${(error as Error).message}` };
  }
}

/** "Matched: 24.6%", as flamegraph.pl words it. */
export function matchedText(share: number): string {
  return `Matched: ${(share * 100).toFixed(1)}%`;
}
