// Where a Recording's results can be downloaded: server paths on the user listener, relative to its URL.
import type { RecordingLinks } from './recording-types.ts';

const ARTIFACTS = {
  svg: 'flamegraph.svg',
  html: 'flamegraph.html',
  folded: 'stacks.folded',
  speedscope: 'speedscope.json',
  pprof: 'profile.pb.gz',
  otlp: 'profile.otlp.pb',
} as const;

function linksUnder(base: string, query = ''): RecordingLinks {
  return {
    svg: `${base}/${ARTIFACTS.svg}${query}`,
    html: `${base}/${ARTIFACTS.html}${query}`,
    folded: `${base}/${ARTIFACTS.folded}${query}`,
    speedscope: `${base}/${ARTIFACTS.speedscope}${query}`,
    pprof: `${base}/${ARTIFACTS.pprof}${query}`,
    otlp: `${base}/${ARTIFACTS.otlp}${query}`,
  };
}

/** The catalog's artifacts of one recording. */
export function recordingLinks(id: string): RecordingLinks {
  return linksUnder(`/api/v1/recordings/${encodeURIComponent(id)}/artifacts`);
}

/** The merged flame graph of several catalog recordings (server/catalog/merged-artifacts.ts). */
export function mergedLinks(ids: readonly string[]): RecordingLinks {
  const query = `?${ids.map((id) => `id=${encodeURIComponent(id)}`).join('&')}`;
  return linksUnder('/api/v1/recordings/merged/artifacts', query);
}
