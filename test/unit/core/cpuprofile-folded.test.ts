// V8 CPU profiles folded: each sample on its node's path from the root, frames named `function (file:line)`
// with 1-based lines, anonymous functions named so, idle samples left out and counted, and a `;` in a name
// (which would split a folded frame) replaced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuProfileToFolded, type CpuProfile } from '../../../core/stacks/cpuprofile-folded.ts';

const frame = (functionName: string, url = '', lineNumber = -1) => ({ functionName, url, lineNumber });

const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 5, 6] },
    { id: 2, callFrame: frame('main', 'file:///srv/app/server.mjs', 9), children: [3, 4] },
    { id: 3, callFrame: frame('hot', 'file:///srv/app/lib%20x.mjs', 0) },
    { id: 4, callFrame: frame('', 'node:internal/timers', 602) },
    { id: 5, callFrame: frame('(idle)') },
    { id: 6, callFrame: frame('(garbage collector)'), children: [7] },
    { id: 7, callFrame: frame('a;b', 'file:///x.mjs', 1) },
  ],
  samples: [3, 3, 3, 4, 2, 5, 5, 6, 7, 42],
};

describe('cpuProfileToFolded', () => {
  it('folds each sample on its path, naming frames by function, file and 1-based line', () => {
    const folded = cpuProfileToFolded(PROFILE, 'node');
    assert.deepEqual([...folded.stacks].sort(), [
      ['node;(garbage collector)', 1],
      ['node;(garbage collector);a:b (/x.mjs:2)', 1],
      ['node;main (/srv/app/server.mjs:10)', 1],
      ['node;main (/srv/app/server.mjs:10);(anonymous) (node:internal/timers:603)', 1],
      ['node;main (/srv/app/server.mjs:10);hot (/srv/app/lib x.mjs:1)', 3],
    ]);
    assert.equal(folded.idle, 2);
    assert.equal(folded.unknown, 1, 'a sample naming no node is counted, not folded');
  });
});
