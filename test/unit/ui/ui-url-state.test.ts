import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_VIEW,
  formatLocation,
  parseLocation,
  parsePage,
  type Location,
} from '../../../ui/src/routing/url-state.ts';

describe('UI URL state', () => {
  it('reads every page from its path and falls back to the record page', () => {
    assert.deepEqual(parsePage('/'), { kind: 'record' });
    assert.deepEqual(parsePage('/history'), { kind: 'history' });
    assert.deepEqual(parsePage('/recordings/20260301T120000-abc'), {
      kind: 'recording',
      id: '20260301T120000-abc',
    });
    assert.deepEqual(parsePage('/compare/a.1/b_2/'), { kind: 'compare', before: 'a.1', after: 'b_2' });
    for (const path of [
      '/recordings/',
      '/recordings/..',
      '/recordings/%2e%2e%2fx',
      '/recordings/a%ZZ',
      '/x/y',
    ])
      assert.deepEqual(parsePage(path), { kind: 'record' }, path);
  });

  it('round-trips the view of a recording (zoom, search, orientation, palette, panel, function, sort)', () => {
    const location: Location = {
      page: { kind: 'recording', id: 'rec-1' },
      view: {
        zoom: [0, 2, 11],
        search: 'alpha|std::vector<int>&',
        orientation: 'icicle',
        palette: 'java',
        panel: 'sandwich',
        fn: 'main',
        sort: 'total',
      },
    };
    const url = formatLocation(location);
    const [path, search] = url.split('?');
    assert.equal(path, '/recordings/rec-1');
    assert.deepEqual(parseLocation(path ?? '', `?${search}`), location);
  });

  it('keeps plain links plain and drops what it cannot read', () => {
    assert.equal(
      formatLocation({ page: { kind: 'recording', id: 'r' }, view: { ...DEFAULT_VIEW } }),
      '/recordings/r',
    );
    assert.equal(
      formatLocation({ page: { kind: 'history' }, view: { ...DEFAULT_VIEW, search: 'x' } }),
      '/history',
    );
    const odd = parseLocation('/recordings/r', '?zoom=1.x&palette=neon&view=sideways&panel=zzz&sort=up');
    assert.deepEqual(odd.view, DEFAULT_VIEW);
  });
});
