// The stacked bar bench:stop-to-graph writes: the median time of each step from the click on Stop to the
// first draw, one segment per step, beside perf script's own time (the floor) and the 1 s target.
const COLORS = [
  '#d95f02',
  '#e6ab02',
  '#66a61e',
  '#1b9e77',
  '#7570b3',
  '#e7298a',
  '#a6761d',
  '#666666',
  '#1f78b4',
];

export interface Segment {
  label: string;
  ms: number;
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function stackedBarSvg(title: string, segments: Segment[], floor: Segment, targetMs: number): string {
  const total = segments.reduce((sum, s) => sum + Math.max(0, s.ms), 0);
  const width = 760;
  const left = 150;
  const span = Math.max(total, floor.ms, targetMs) * 1.05;
  const x = (ms: number): number => left + (ms / span) * (width - left - 20);
  const parts: string[] = [];
  let at = 0;
  segments.forEach((segment, i) => {
    const w = x(at + Math.max(0, segment.ms)) - x(at);
    const color = COLORS[i % COLORS.length] ?? '#999';
    parts.push(`<rect x="${x(at).toFixed(1)}" y="40" width="${w.toFixed(1)}" height="28" fill="${color}"/>`);
    const legendY = 120 + i * 16;
    parts.push(`<rect x="${left}" y="${legendY - 10}" width="12" height="12" fill="${color}"/>`);
    parts.push(
      `<text x="${left + 18}" y="${legendY}">${escapeXml(segment.label)}: ${segment.ms.toFixed(0)} ms</text>`,
    );
    at += Math.max(0, segment.ms);
  });
  const floorW = x(floor.ms) - x(0);
  const targetX = x(targetMs).toFixed(1);
  const height = 130 + segments.length * 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="10" y="58">Stop → first draw</text>`,
    ...parts,
    `<text x="${(x(total) + 4).toFixed(1)}" y="58">${total.toFixed(0)} ms</text>`,
    `<text x="10" y="94">${escapeXml(floor.label)}</text>`,
    `<rect x="${left}" y="80" width="${floorW.toFixed(1)}" height="20" fill="#bbbbbb"/>`,
    `<text x="${(x(floor.ms) + 4).toFixed(1)}" y="94">${floor.ms.toFixed(0)} ms</text>`,
    `<line x1="${targetX}" y1="32" x2="${targetX}" y2="106" stroke="#000" stroke-dasharray="4 3"/>`,
    `<text x="${targetX}" y="30" text-anchor="middle">target ${targetMs} ms</text>`,
    '</svg>',
    '',
  ].join('\n');
}
