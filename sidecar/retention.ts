// Which finished recordings to delete from local disk: keep the newest N within a byte cap. Pure.

export interface KeptRecording {
  id: string;
  bytes: number;
  /** Still recording or processing: never evicted. */
  active: boolean;
}

/** Given recordings oldest first, the ids to evict so that at most `keep` remain within `keepBytes`. */
export function chooseEvictions(
  recordings: readonly KeptRecording[],
  keep: number,
  keepBytes: number,
): string[] {
  let count = recordings.length;
  let bytes = recordings.reduce((sum, r) => sum + r.bytes, 0);
  const evict: string[] = [];
  for (const recording of recordings) {
    if (count <= keep && bytes <= keepBytes) break;
    if (recording.active) continue;
    evict.push(recording.id);
    count -= 1;
    bytes -= recording.bytes;
  }
  return evict;
}
