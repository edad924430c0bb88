// Download links of a recording's artifacts, named as users look for them, and "Open in speedscope"
// with the speedscope app this server serves (same origin, offline).
import type { ArtifactName } from '../../../core/contract/names.ts';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { SPEEDSCOPE_PATH } from '../../../core/contract/ui-contract.ts';
import { apiPath } from '../api/client.ts';

export const DOWNLOADS: readonly { name: ArtifactName; label: string }[] = [
  { name: 'flamegraph.svg', label: 'SVG' },
  { name: 'flamegraph.html', label: 'HTML' },
  { name: 'stacks.folded', label: 'Folded stacks' },
  { name: 'speedscope.json', label: 'speedscope' },
  { name: 'profile.pb.gz', label: 'pprof' },
  { name: 'profile.otlp.pb', label: 'OTLP' },
  { name: 'perf.data', label: 'perf.data' },
  { name: 'perf.script', label: 'perf script' },
  { name: 'bpftrace.txt', label: 'bpftrace output' },
];

export function artifactUrl(id: string, name: ArtifactName): string {
  return apiPath`/api/v1/recordings/${id}/artifacts/${name}`;
}

/** The speedscope app loading this recording's speedscope.json through its #profileURL= parameter. */
export function speedscopeUrl(id: string): string {
  const profile = new URL(artifactUrl(id, 'speedscope.json'), window.location.origin).href;
  return `${SPEEDSCOPE_PATH}#profileURL=${encodeURIComponent(profile)}&title=${encodeURIComponent(id)}`;
}

export function Downloads({ entry, label }: { entry: CatalogEntry; label?: string }) {
  const present = new Set(entry.artifacts.map((artifact) => artifact.name));
  const links = DOWNLOADS.filter((download) => present.has(download.name));
  if (links.length === 0) return <span class="hint">no files</span>;
  return (
    <ul class="downloads" aria-label={label ?? 'Downloads'}>
      {links.map((download) => (
        <li key={download.name}>
          <a href={artifactUrl(entry.id, download.name)} download={`${entry.id}-${download.name}`}>
            {download.label}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** A button, not a link: its name must not be confused with the "speedscope" download link. */
export function OpenInSpeedscope({ entry }: { entry: CatalogEntry }) {
  if (!entry.artifacts.some((artifact) => artifact.name === 'speedscope.json')) return null;
  return (
    <button type="button" onClick={() => window.open(speedscopeUrl(entry.id), '_blank', 'noopener')}>
      Open in speedscope
    </button>
  );
}
