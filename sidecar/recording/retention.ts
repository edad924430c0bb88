// Deletes finished recordings from local disk: the newest N within a byte cap (core's retention rule).
import { rm, stat } from 'node:fs/promises';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { selectEvictions } from '../../core/retention.ts';
import { isActive } from './recording-machine.ts';

async function recordingBytes(dir: string, status: RecordingStatus): Promise<number> {
  const names = [...new Set(['perf.data', ...status.artifacts])];
  const sizes = await Promise.all(
    names.map((name) =>
      stat(`${dir}/${name}`).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

/** Deletes the directories of the recordings that fall out of the window; returns their ids. */
export async function evictOldRecordings(
  recordings: readonly RecordingStatus[],
  dirOf: (id: string) => string,
  { keep, keepBytes }: { keep: number; keepBytes: number },
  /** Recordings kept whatever the window says (one the catalog does not have yet). */
  held: (id: string) => boolean = () => false,
): Promise<string[]> {
  // Recordings are kept in the order they started; that order is all the rule needs (no age limit here).
  const kept = await Promise.all(
    recordings.map(async (r, index) => ({
      id: r.id,
      time: index,
      active: isActive(r) || held(r.id),
      bytes: await recordingBytes(dirOf(r.id), r),
    })),
  );
  const evict = selectEvictions(kept, { maxCount: keep, maxBytes: keepBytes }, 0);
  for (const id of evict) await rm(dirOf(id), { recursive: true, force: true });
  return evict;
}
