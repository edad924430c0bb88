// middleEllipsis never gives more characters than asked for (issue 44 item 2: with room for fewer than
// five it gave the whole name, which the canvas then drew over its neighbours).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { middleEllipsis } from '../../../ui/src/viewer/middle-ellipsis.ts';

describe('middleEllipsis', () => {
  it('keeps a name that fits, and cuts a long one in the middle', () => {
    assert.equal(middleEllipsis('main', 4), 'main');
    assert.equal(middleEllipsis('std::map<int>::find', 9), 'std:…find');
  });

  it('is never longer than its room, however small', () => {
    const name = '[perf-6027.map]';
    for (let max = 0; max <= name.length + 1; max++) {
      const cut = middleEllipsis(name, max);
      assert.ok(cut.length <= max, `${max}: ${JSON.stringify(cut)}`);
    }
    assert.equal(middleEllipsis(name, 3), '[p…');
    assert.equal(middleEllipsis(name, 0), '');
  });
});
