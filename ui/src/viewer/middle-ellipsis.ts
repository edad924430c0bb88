// Long frame names (C++ templates, Java lambdas) cut in the middle, so both the namespace and the
// method stay readable. Pure.

/**
 * `text` at most `max` characters, never more: its start and end with "…" between; with room for fewer
 * than five, its start and "…" (a canvas frame of 28 px has room for three).
 */
export function middleEllipsis(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < 1) return '';
  if (max < 5) return `${text.slice(0, max - 1)}…`;
  const tail = Math.floor((max - 1) / 2);
  const head = max - 1 - tail;
  return `${text.slice(0, head)}…${text.slice(text.length - tail)}`;
}
