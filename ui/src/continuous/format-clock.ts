// Times on the Continuous page: local `2026-03-01 12:00:05`, written by hand (Intl's first use is slow).
const two = (n: number): string => String(n).padStart(2, '0');

export function formatClock(ms: number): string {
  const t = new Date(ms);
  if (Number.isNaN(t.getTime())) return String(ms);
  const date = `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())}`;
  return `${date} ${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}`;
}

/** `12:00:05–12:10:00` (with the dates when they differ). */
export function formatRange(range: { from: number; to: number }): string {
  const from = formatClock(range.from);
  const to = formatClock(range.to);
  return from.slice(0, 10) === to.slice(0, 10) ? `${from}–${to.slice(11)}` : `${from} – ${to}`;
}
