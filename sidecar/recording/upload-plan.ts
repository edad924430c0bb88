// What goes to the catalog in which order, and what the user reads when the catalog refuses a file. Pure.
import type { ArtifactName } from '../../core/contract/names.ts';

/**
 * Small essential files first (what the UI draws, the folded stacks, the SVG), the other views next,
 * the large raw files last: a catalog that runs out of room mid-upload still has a graph to show.
 */
const UPLOAD_ORDER: readonly ArtifactName[] = [
  'flame-tree.bin.gz',
  'stacks.folded',
  'flamegraph.svg',
  'flamegraph.html',
  'speedscope.json',
  'profile.pb.gz',
  'profile.otlp.pb',
  'bpftrace.txt',
  'perf.data',
  'perf.script',
];

export function uploadOrder(names: readonly ArtifactName[]): ArtifactName[] {
  const rank = (name: ArtifactName): number => UPLOAD_ORDER.indexOf(name);
  return [...names].sort((a, b) => rank(a) - rank(b));
}

/** 74 * 1024 * 1024 → "74 MB"; 8192 → "8 KB" (powers of 1024). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 || value >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${shown} ${units[unit]}`;
}

/** The answers that refuse one file and leave the others welcome: too large, or the catalog is full. */
export function isRefusal(status: number): boolean {
  return status === 413 || status === 507;
}

function detailsOf(body: string): { message?: string; field?: string; limit?: number } {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; details?: { field?: unknown; limit?: unknown } };
    return {
      ...(typeof parsed.message === 'string' ? { message: parsed.message } : {}),
      ...(typeof parsed.details?.field === 'string' ? { field: parsed.details.field } : {}),
      ...(typeof parsed.details?.limit === 'number' ? { limit: parsed.details.limit } : {}),
    };
  } catch {
    return {};
  }
}

/** "perf.data was not kept: 74 MB over the 8 KB limit (maxArtifactBytes)", from a 413 or 507 answer. */
export function describeRefusal(name: ArtifactName, bytes: number, status: number, body: string): string {
  const { message, field, limit } = detailsOf(body);
  if (status === 413 && field !== undefined && limit !== undefined)
    return tooLarge(name, bytes, limit, field);
  const why = status === 507 ? 'the catalog is full' : `the server answered ${status}`;
  return `${name} was not kept (${formatBytes(bytes)}): ${why}${message === undefined ? '' : `: ${message}`}`;
}

export function tooLarge(name: ArtifactName, bytes: number, limit: number, field: string): string {
  return `${name} was not kept: ${formatBytes(bytes)} over the ${formatBytes(limit)} limit (${field})`;
}
