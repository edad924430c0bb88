// The server paths of a Recording's artifacts, in a file of their own: the Recording's status and the
// rollout watch's comparisons (recording-watch.ts) both name them.
/** Server paths of one recording's (or a merged set's) artifacts. */
export interface RecordingLinks {
  svg: string;
  html: string;
  folded: string;
  speedscope: string;
  /** profile.pb.gz (absent in statuses written before exports). */
  pprof?: string;
  /** profile.otlp.pb (absent in statuses written before exports). */
  otlp?: string;
}
