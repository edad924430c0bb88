// The flame graph on the record page, drawn from the sidecar's compact tree while the recording's other
// files are still rendered and uploaded; the recording's own page takes over once the catalog has it.
import { useState } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { DEFAULT_VIEW, type ViewState } from '../routing/url-state.ts';
import { Explorer } from '../viewer/explorer.tsx';

export function EarlyGraph({ id, tree }: { id: string; tree: FlameNode }) {
  const [view, setView] = useState<ViewState>(DEFAULT_VIEW);
  return (
    <section class="early-graph" aria-labelledby="early-graph-title">
      <h2 id="early-graph-title">Flame graph of recording {id}</h2>
      <p class="notice" role="status">
        Drawn from the pod while the other files are uploaded; the recording opens once the catalog has it.
      </p>
      <Explorer
        root={tree}
        title={`recording ${id}`}
        view={view}
        onView={(patch) => setView((old) => ({ ...old, ...patch }))}
      />
    </section>
  );
}
