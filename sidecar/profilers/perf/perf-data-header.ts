// What perf.data's header says about the file: perf writes the data size into it once it has finished the
// file (after a stop, a SIGINT or SIGTERM), so 0 means perf is still at it or died before it could.
import { open } from 'node:fs/promises';

/** perf_file_header: magic, size, attr_size, attrs {offset, size}, data {offset, size}: data.size is at 48. */
const DATA_SIZE_OFFSET = 48;

/** The data size perf wrote into the header of `file`: 0 while perf has not finished it, undefined if unreadable. */
export async function perfDataSize(file: string): Promise<number | undefined> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return undefined;
  try {
    const header = Buffer.alloc(DATA_SIZE_OFFSET + 8);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    if (bytesRead < header.length || header.toString('latin1', 0, 8) !== 'PERFILE2') return undefined;
    return Number(header.readBigUInt64LE(DATA_SIZE_OFFSET));
  } finally {
    await handle.close();
  }
}

/** Whether perf finished writing `file` (its header holds the size of its data). */
export async function isWholePerfData(file: string): Promise<boolean> {
  return ((await perfDataSize(file)) ?? 0) > 0;
}
