// The page and the view state (zoom, search, orientation, palette, panel) as a URL, and back, so a
// recording's URL reopens the same view. Pure: the router and the unit tests share it.
import { isPaletteName, type PaletteName } from '../../../core/render/palette.ts';
import {
  continuousQuery,
  parseContinuousParams,
  type ContinuousParams,
} from '../continuous/continuous-url.ts';

export type Page =
  | { kind: 'record' }
  | { kind: 'history' }
  | { kind: 'recording'; id: string }
  | { kind: 'compare'; before: string; after: string }
  | { kind: 'continuous'; params: ContinuousParams };

export type Orientation = 'flame' | 'icicle';
export type Panel = 'top' | 'sandwich';
export type SortKey = 'self' | 'total' | 'name';

export interface ViewState {
  /** Child indices from the root to the zoomed frame; [] is unzoomed. */
  zoom: number[];
  /** Regular expression; '' for no search. */
  search: string;
  orientation: Orientation;
  /** undefined: picked from the stacks' language. */
  palette?: PaletteName;
  panel: Panel;
  /** The function the sandwich view shows. */
  fn?: string;
  sort: SortKey;
  /** Compare only: draw the frames only the baseline has instead of the change. */
  diff?: 'removed';
}

/** Changes the view in the URL: a new history entry, or the current one replaced (typing). */
export type ViewUpdate = (patch: Partial<ViewState>, options?: { replace?: boolean }) => void;

export interface Location {
  page: Page;
  view: ViewState;
}

export const DEFAULT_VIEW: Readonly<ViewState> = {
  zoom: [],
  search: '',
  orientation: 'flame',
  panel: 'top',
  sort: 'self',
};

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function decodeSegment(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  try {
    const text = decodeURIComponent(segment);
    return ID.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

export function parsePage(pathname: string): Page {
  const parts = pathname.split('/').filter((part) => part !== '');
  if (parts[0] === 'history' && parts.length === 1) return { kind: 'history' };
  if (parts[0] === 'recordings' && parts.length === 2) {
    const id = decodeSegment(parts[1]);
    if (id) return { kind: 'recording', id };
  }
  if (parts[0] === 'compare' && parts.length === 3) {
    const before = decodeSegment(parts[1]);
    const after = decodeSegment(parts[2]);
    if (before && after) return { kind: 'compare', before, after };
  }
  return { kind: 'record' };
}

function parseZoom(text: string | null): number[] {
  if (!text || !/^\d{1,6}(\.\d{1,6}){0,1023}$/.test(text)) return [];
  return text.split('.').map(Number);
}

export function parseView(search: string): ViewState {
  const query = new URLSearchParams(search);
  const view: ViewState = {
    zoom: parseZoom(query.get('zoom')),
    search: (query.get('q') ?? '').slice(0, 1000),
    orientation: query.get('view') === 'icicle' ? 'icicle' : 'flame',
    panel: query.get('panel') === 'sandwich' ? 'sandwich' : 'top',
    sort: query.get('sort') === 'total' ? 'total' : query.get('sort') === 'name' ? 'name' : 'self',
  };
  const palette = query.get('palette');
  if (palette && isPaletteName(palette)) view.palette = palette;
  const fn = query.get('fn');
  if (fn) view.fn = fn.slice(0, 4096);
  if (query.get('diff') === 'removed') view.diff = 'removed';
  return view;
}

export function parseLocation(pathname: string, search: string): Location {
  if (/^\/continuous\/?$/.test(pathname))
    return { page: { kind: 'continuous', params: parseContinuousParams(search) }, view: parseView(search) };
  return { page: parsePage(pathname), view: parseView(search) };
}

export function formatPage(page: Page): string {
  switch (page.kind) {
    case 'record':
      return '/';
    case 'history':
      return '/history';
    case 'recording':
      return `/recordings/${encodeURIComponent(page.id)}`;
    case 'compare':
      return `/compare/${encodeURIComponent(page.before)}/${encodeURIComponent(page.after)}`;
    case 'continuous':
      return '/continuous';
  }
}

/** Only what differs from the defaults goes into the query, so plain links stay plain. */
export function formatView(view: ViewState): string {
  const query = new URLSearchParams();
  if (view.zoom.length > 0) query.set('zoom', view.zoom.join('.'));
  if (view.search !== '') query.set('q', view.search);
  if (view.orientation !== 'flame') query.set('view', view.orientation);
  if (view.palette) query.set('palette', view.palette);
  if (view.panel !== 'top') query.set('panel', view.panel);
  if (view.fn) query.set('fn', view.fn);
  if (view.sort !== 'self') query.set('sort', view.sort);
  if (view.diff) query.set('diff', view.diff);
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

export function formatLocation(location: Location): string {
  if (location.page.kind === 'continuous') {
    const query = continuousQuery(location.page.params);
    for (const [key, value] of new URLSearchParams(formatView(location.view))) query.set(key, value);
    const text = query.toString();
    return text === '' ? '/continuous' : `/continuous?${text}`;
  }
  const viewer = location.page.kind === 'recording' || location.page.kind === 'compare';
  return formatPage(location.page) + (viewer ? formatView(location.view) : '');
}
