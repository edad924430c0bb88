// The server paths of a Recording's artifacts, in a file of their own: the Recording's status and the
// rollout watch's comparisons (recording-watch.ts) both name them, with their one schema.
import type { SchemaOf } from './schema-types.ts';
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

export const linksSchema = {
  type: 'object',
  description: 'Server paths of the artifacts (/api/v1/recordings/<id>/artifacts/<name>).',
  required: ['svg', 'html', 'folded', 'speedscope'],
  properties: {
    svg: { type: 'string' },
    html: { type: 'string' },
    folded: { type: 'string' },
    speedscope: { type: 'string' },
    pprof: { type: 'string' },
    otlp: { type: 'string' },
  },
} as const satisfies SchemaOf<RecordingLinks>;
