// Which finished recordings to delete from local disk: keep the newest N within a byte cap.
import { rm, stat } from 'node:fs/promises';
import type { RecordingStatus } from '../core/recording.ts';
import { isActive } from './recording-machine.ts';

export interface KeptRecording {
  id: string;
  bytes: number;
  /** Still recording or processing: never evicted. */
  active: boolean;
}

/**
 * Given recordings oldest first, the ids to evict so that at most `keep` remain within `keepBytes`.
 * The newest one is always kept, however large: it is the one the user is about to look at.
 */
export function chooseEvictions(
  recordings: readonly KeptRecording[],
  keep: number,
  keepBytes: number,
): string[] {
  let count = recordings.length;
  let bytes = recordings.reduce((sum, r) => sum + r.bytes, 0);
  const evict: string[] = [];
  for (const recording of recordings.slice(0, -1)) {
    if (count <= keep && bytes <= keepBytes) break;
    if (recording.active) continue;
    evict.push(recording.id);
    count -= 1;
    bytes -= recording.bytes;
  }
  return evict;
}

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
  keep: number,
  keepBytes: number,
): Promise<string[]> {
  const kept = await Promise.all(
    recordings.map(async (r) => ({
      id: r.id,
      active: isActive(r),
      bytes: await recordingBytes(dirOf(r.id), r),
    })),
  );
  const evict = chooseEvictions(kept, keep, keepBytes);
  for (const id of evict) await rm(dirOf(id), { recursive: true, force: true });
  return evict;
}
