// A rendered artifact written again under its name (a recording resumed after a restart renders the files it
// may already list) is replaced whole: a download reading it meanwhile gets the old file or the new one,
// never a truncated or half-written one, which the recorder would answer as a 200 of that many bytes.
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { writeArtifact } from '../../../sidecar/recording/render-artifacts.ts';
import type { RecordingEvent } from '../../../sidecar/recording-events.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

describe('writing an artifact again', () => {
  it('never lets a reader see it empty or in part', async (t) => {
    const dir = await tempDir(t, 'artifact-rewrite-');
    const before = 'main;old 1\n'.repeat(1000);
    await writeFile(`${dir}/stacks.folded`, before);
    // Written in many pieces, as the exported profiles are: many chances for a reader to come in between.
    const pieces = Array.from({ length: 2000 }, (_, i) => Buffer.from(`main;work;fn_${i} 3\n`.repeat(40)));
    const after = Buffer.concat(pieces).toString('utf8');
    const events: RecordingEvent[] = [];
    const deps = {
      report: (event: RecordingEvent) => void events.push(event),
      budget: { free: () => Promise.resolve(1e12) },
    };
    let writing = true;
    const written = writeArtifact(deps, dir, 'stacks.folded', pieces).finally(() => (writing = false));
    const seen = new Map<string, number>();
    while (writing) {
      const text = await readFile(`${dir}/stacks.folded`, 'utf8');
      const what = text === before ? 'before' : text === after ? 'after' : `${text.length} bytes of neither`;
      seen.set(what, (seen.get(what) ?? 0) + 1);
    }
    await written;
    assert.deepEqual(
      [...seen.keys()].filter((what) => what !== 'before' && what !== 'after'),
      [],
      `reads while it was written: ${JSON.stringify([...seen])}`,
    );
    assert.equal(await readFile(`${dir}/stacks.folded`, 'utf8'), after);
    assert.deepEqual(await readdir(dir), ['stacks.folded'], 'nothing left beside it');
    assert.deepEqual(events, [{ type: 'artifact', name: 'stacks.folded' }]);
  });
});
