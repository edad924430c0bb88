// The delivery queue on disk (server/sinks/sink-queue.ts): one push per recording and sink, bounded,
// read back whole after a restart, and a file it cannot read is dropped rather than stopping the server.
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDiskSinkQueue, type QueuedPush } from '../../../server/sinks/sink-queue.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

const push = (recordingId: string, nextAttemptAt = 0): QueuedPush => ({
  recordingId,
  sink: 'collector',
  queuedAt: 0,
  attempts: 0,
  nextAttemptAt,
});

describe('the sink queue on disk', () => {
  it('keeps one push per recording and sink, refuses past its bound, and survives a reopen', async (t) => {
    const dir = join(await tempDir(t, 'furnace-queue-'), 'q');
    const queue = await openDiskSinkQueue({ dir, maxQueued: 2 });
    assert.equal(await queue.add(push('a', 10)), 'added');
    assert.equal(await queue.add(push('a', 99)), 'present');
    assert.equal(await queue.add(push('b', 5)), 'added');
    assert.equal(await queue.add(push('c')), 'full');
    await queue.update({ ...push('a', 20), attempts: 3, lastError: 'down' });
    assert.deepEqual(
      queue.due(15).map((p) => p.recordingId),
      ['b'],
    );
    assert.equal(queue.nextDue(5), 20);
    const reopened = await openDiskSinkQueue({ dir, maxQueued: 2 });
    assert.equal(reopened.size(), 2);
    assert.deepEqual(reopened.due(100), [push('b', 5), { ...push('a', 20), attempts: 3, lastError: 'down' }]);
    await reopened.remove('b', 'collector');
    assert.deepEqual(await readdir(dir), ['a~collector.json']);
  });

  it('drops files it cannot read and the temp files of an unfinished write, and says how many', async (t) => {
    const dir = await tempDir(t, 'furnace-queue-');
    await writeFile(join(dir, 'x~collector.json'), '{"recordingId": "x"');
    await writeFile(join(dir, 'y~collector.json'), JSON.stringify(push('other')));
    await writeFile(join(dir, '.abc.tmp'), '{}');
    let dropped = 0;
    const queue = await openDiskSinkQueue({ dir, maxQueued: 10, onDropped: (n) => (dropped = n) });
    assert.equal(queue.size(), 0);
    assert.equal(dropped, 2);
    assert.deepEqual(await readdir(dir), []);
  });
});
