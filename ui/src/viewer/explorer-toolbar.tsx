// The explorer's toolbar: the search box with what it matched, flame or icicle, the palette (unless
// the page colours the frames itself) and Reset zoom.
import { PALETTES, type PaletteName } from '../../../core/render/palette.ts';
import { LabelledSelect } from '../controls/labelled-select.tsx';
import type { ViewState, ViewUpdate } from '../routing/url-state.ts';
import { matchedText } from './search-status.ts';
import type { GraphSearch } from './use-graph-search.ts';

function SearchBox({ text, search, onView }: { text: string; search: GraphSearch; onView: ViewUpdate }) {
  const { parsed, found } = search;
  return (
    <div class="search">
      <label for="search">Search</label>
      <input
        id="search"
        type="search"
        placeholder="regular expression, e.g. ^malloc|free"
        value={text}
        aria-invalid={!parsed.ok}
        aria-describedby="search-status"
        onInput={(event) => onView({ search: event.currentTarget.value }, { replace: true })}
      />
      <span
        id="search-status"
        role="status"
        class={parsed.ok ? 'matched' : 'field-error'}
        title={parsed.ok ? undefined : parsed.message}
      >
        {parsed.ok ? (found ? matchedText(found.share) : '') : parsed.message}
      </span>
    </div>
  );
}

export interface ExplorerToolbarProps {
  view: ViewState;
  onView: ViewUpdate;
  search: GraphSearch;
  /** The palette detected from the names; undefined when the page colours the frames itself. */
  detected: PaletteName | undefined;
}

export function ExplorerToolbar({ view, onView, search, detected }: ExplorerToolbarProps) {
  return (
    <div class="toolbar">
      <SearchBox text={view.search} search={search} onView={onView} />
      <button
        type="button"
        aria-pressed={view.orientation === 'icicle'}
        onClick={() => onView({ orientation: view.orientation === 'icicle' ? 'flame' : 'icicle' })}
      >
        Icicle
      </button>
      {detected === undefined ? null : (
        <LabelledSelect
          id="palette"
          label="Palette"
          class="palette"
          value={view.palette ?? ''}
          none={`Auto (${detected})`}
          names={PALETTES}
          onValue={(value) => onView({ palette: value === '' ? undefined : (value as PaletteName) })}
        />
      )}
      <button type="button" disabled={view.zoom.length === 0} onClick={() => onView({ zoom: [] })}>
        Reset zoom
      </button>
    </div>
  );
}
