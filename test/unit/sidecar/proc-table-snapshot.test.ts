// The process table a start chooses from is read at the moment it is asked for, not behind the sidecar's
// other file work: a start's disk-budget walk runs beside the choice in libuv's thread pool, and so do DNS
// lookups and artifact writes. Here every thread of that pool is held by an open() of a FIFO that no one
// writes (it waits for a writer), and the table is read meanwhile from this machine's real /proc.
import assert from 'node:assert/strict';
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcessTable } from '../../../sidecar/host/proc-table.ts';
import { execFileSync } from '../../harness/child-processes.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

/** Holds every thread of libuv's pool until the returned release is called. */
async function holdThreadPool(t: TestContext): Promise<() => Promise<void>> {
  const dir = await tempDir(t, 'furnace-pool-');
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const fifos = Array.from({ length: threads }, (_, i) => join(dir, `fifo-${i}`));
  for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
  // Each open for reading waits in a pool thread until a writer opens the FIFO.
  const readers = fifos.map((fifo) => open(fifo, 'r'));
  let released: Promise<void> | undefined;
  const release = (): Promise<void> => {
    released ??= (async () => {
      // A writer opened without blocking: the reader waiting in open() is there, so this succeeds.
      for (const fifo of fifos) closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      const handles: FileHandle[] = await Promise.all(readers);
      await Promise.all(handles.map((h) => h.close()));
    })();
    return released;
  };
  t.after(release);
  return release;
}

/** How long the test waits for the table with the pool held before it releases the pool and fails. */
const WAIT_MS = 20_000;

describe('reading the process table (real /proc)', () => {
  it('reads every process while each thread of the I/O pool is busy with other work', async (t) => {
    const release = await holdThreadPool(t);
    // A read through the pool, which waits as long as the pool is held: proof that it was, throughout.
    const queued = readFile('/proc/self/stat', 'utf8').then(() => 'read' as const);
    const giveUp = new AbortController();
    const read = await Promise.race([
      readProcessTable({ withContainers: false }),
      sleep(WAIT_MS, 'still reading' as const, { signal: giveUp.signal }),
    ]);
    giveUp.abort();
    const queuedState = await Promise.race([queued, Promise.resolve('waiting' as const)]);
    await release();
    assert.notEqual(read, 'still reading', `the table was not read in ${WAIT_MS} ms while the pool was held`);
    assert.equal(queuedState, 'waiting', 'the pool was held while the table was read');
    const table = read as Awaited<ReturnType<typeof readProcessTable>>;
    const self = table.find((p) => p.pid === process.pid);
    assert.ok(self, `this process (${process.pid}) is in the table of ${table.length}`);
    const cmdline = readFileSync('/proc/self/cmdline', 'utf8').replace(/\0+$/, '').split('\0').join(' ');
    assert.equal(self.cmdline, cmdline);
    assert.ok(self.startedAtMs !== undefined && self.startedAtMs <= Date.now(), 'its start time is read');
    assert.ok(
      table.some((p) => p.pid === process.ppid),
      'and its parent',
    );
  });
});
