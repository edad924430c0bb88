// Long frame names (C++ templates, Java lambdas) cut in the middle, so both the namespace and the
// method stay readable. Pure.

/** `text` at most `max` characters: its start and end with "…" between. */
export function middleEllipsis(text: string, max: number): string {
  if (text.length <= max || max < 5) return text;
  const tail = Math.floor((max - 1) / 2);
  const head = max - 1 - tail;
  return `${text.slice(0, head)}…${text.slice(text.length - tail)}`;
}
