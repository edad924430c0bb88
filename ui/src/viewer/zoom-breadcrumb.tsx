// Root → the zoomed frame as buttons: each zooms out to its frame; the last is the current one.
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import type { ViewUpdate } from '../routing/url-state.ts';
import { middleEllipsis } from './middle-ellipsis.ts';

export interface ZoomBreadcrumbProps {
  path: FlameNode[];
  /** The zoom of the view, as child indices. */
  zoom: number[];
  onView: ViewUpdate;
}

export function ZoomBreadcrumb({ path, zoom, onView }: ZoomBreadcrumbProps) {
  return (
    <nav class="breadcrumb" aria-label="Zoom path">
      {path.map((node, i) => (
        <button
          key={i}
          type="button"
          aria-current={i === path.length - 1 ? 'true' : undefined}
          title={node.name}
          onClick={() => onView({ zoom: zoom.slice(0, i) })}
        >
          {middleEllipsis(node.name, 40)}
        </button>
      ))}
    </nav>
  );
}
