// Sample counts as people read them. By hand rather than toLocaleString: the first use of Intl costs
// a large flame graph's first paint tens of milliseconds in the browser. Pure; imports nothing.

/** 1234567 → "1,234,567", as flamegraph.pl prints counts (at most two decimals). */
export function formatCount(value: number): string {
  const [int = '0', frac] = String(Math.round(value * 100) / 100).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}
