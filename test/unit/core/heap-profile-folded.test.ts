// V8 sampling heap profiles folded: each node's live bytes on its path from the root (the root's own
// frame left out), nodes without bytes of their own add no line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heapProfileToFolded } from '../../../core/stacks/heap-profile-folded.ts';

const frame = (functionName: string, url = '', lineNumber = -1) => ({ functionName, url, lineNumber });

describe('heapProfileToFolded', () => {
  it('gives each stack its self bytes', () => {
    const folded = heapProfileToFolded(
      {
        callFrame: frame('(root)'),
        selfSize: 0,
        children: [
          {
            callFrame: frame('main', 'file:///srv/app.mjs', 4),
            selfSize: 0,
            children: [
              { callFrame: frame('keep', 'file:///srv/app.mjs', 9), selfSize: 65_536 },
              { callFrame: frame('keep', 'file:///srv/app.mjs', 9), selfSize: 1024 },
            ],
          },
          { callFrame: frame('(V8 API)'), selfSize: 96 },
        ],
      },
      'MainThread',
    );
    assert.deepEqual([...folded].sort(), [
      ['MainThread;(V8 API)', 96],
      ['MainThread;main (/srv/app.mjs:5);keep (/srv/app.mjs:10)', 66_560],
    ]);
  });
});
