// What one stored window of continuous profiling is, as its key says it (server/continuous/window-keys.ts
// writes and parses the key): the one type the window store, queries, compaction, the timeline and the
// sinks all read. Pure.

export interface WindowMeta {
  namespace: string;
  node: string;
  pod: string;
  container: string;
  /** `Kind/name` of the pod's controller (`Pod/<name>` for a bare pod). */
  workload: string;
  /** ms since the epoch. */
  start: number;
  end: number;
  /** A compacted window: the length in seconds of the slot it merges (60, 600); absent for an agent's window. */
  resolution?: number;
}
