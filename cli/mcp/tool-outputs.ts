// The structured content of each tool of `furnace mcp`, as zod schemas the SDK lists as each tool's
// `outputSchema` (JSON Schema) and checks every answer against before sending it. Objects are strict: a
// field a schema does not name fails the check on the server (the call becomes a tool error) and in the
// client (JSON Schema `additionalProperties: false`), so a client may rely on exactly these fields.
// The text content of each answer says the same for clients that read only text.
import { z } from 'zod';
import { ARTIFACT_NAMES } from '../../core/contract/names.ts';
import { PROFILE_TYPES } from '../../core/contract/profile-types.ts';
import { RECORDING_STATES } from '../../core/contract/recording.ts';

/** The most pods `list` shows; with more, `podCount` says how many there are. */
export const MAX_LISTED_PODS = 200;
/** Processes shown per pod, running and seen. */
export const PROCESSES_PER_POD = 10;
/** The most recordings `list` is asked for. */
export const MAX_LISTED_RECORDINGS = 200;
/** The most functions in a top list, and stacks in `heaviestPaths`. */
export const MAX_TOP = 50;
export const MAX_PATHS = 20;

const count = z.number().int().min(0);
/** Samples, or a weight in the profile's unit (nanoseconds blocked, bytes) for profiles other than cpu. */
const samples = z.number().min(0);
const share = z.number().min(0).max(1);
const profile = z.enum(PROFILE_TYPES);
const state = z.enum(RECORDING_STATES);

const recordingRef = z.strictObject({ id: z.string(), namespace: z.string(), pod: z.string() });

export const listOutput = z.strictObject({
  namespace: z.string().nullable().describe('The namespace listed; null with allNamespaces'),
  namespaces: z.array(z.string()).describe('The namespaces with pods you may record, sorted'),
  pods: z
    .array(
      z.strictObject({
        namespace: z.string(),
        pod: z.string(),
        mode: z.enum(['sidecar', 'agent']),
        containers: z.array(z.string()).optional().describe('The first 10 pods of one namespace only'),
        processesRunning: z
          .array(
            z.strictObject({
              pid: z.number().int().min(1),
              comm: z.string(),
              container: z.string().optional(),
              cpuPercent: z.number().min(0),
            }),
          )
          .max(PROCESSES_PER_POD)
          .optional()
          .describe('Busiest first; only where you may record (furnace-recorder), for the first 10 pods'),
        processesSeen: z.array(z.string()).max(PROCESSES_PER_POD).describe('By earlier recordings, sorted'),
      }),
    )
    .max(MAX_LISTED_PODS),
  podCount: count.describe('Pods you may record, shown or not'),
  recordings: z
    .array(
      recordingRef.extend({
        container: z.string().optional(),
        state,
        profile,
        samples: count.optional(),
        startedAt: z.string(),
        startedBy: z.string().optional(),
      }),
    )
    .max(MAX_LISTED_RECORDINGS)
    .describe('Newest first'),
  moreRecordings: z.boolean(),
});

export const recordOutput = recordingRef.extend({
  state: state.describe('done, or failed (then the answer is also a tool error)'),
  samples: count,
  endReason: z.string().optional().describe('Why it ended before its duration, in the recorder’s words'),
  warnings: z.array(z.string()),
  artifacts: z.array(z.enum(ARTIFACT_NAMES)),
});

const functionShare = z.strictObject({ name: z.string(), samples, share });

export const summarizeOutput = recordingRef.extend({
  profile,
  totalSamples: samples,
  uniqueStacks: count,
  functions: count,
  topSelf: z.array(functionShare).max(MAX_TOP),
  topTotal: z.array(functionShare).max(MAX_TOP),
  heaviestPaths: z
    .array(
      z.strictObject({
        frames: z.array(z.string()).describe('Root first; the process name is the first frame'),
        framesOmitted: count.describe('Frames left out of the middle of a deep stack'),
        samples,
        share,
      }),
    )
    .max(MAX_PATHS),
  diagnoses: z.array(
    z.strictObject({
      kind: z.enum(['missing-symbols', 'stacks-cut-short', 'recorder']),
      samples: samples.optional().describe('Measured diagnoses only (not kind recorder)'),
      share: share.optional().describe('Measured diagnoses only (not kind recorder)'),
      text: z.string(),
    }),
  ),
});

const side = recordingRef.extend({ totalSamples: samples });

const functionChange = z.strictObject({
  name: z.string(),
  beforeSamples: samples,
  afterSamples: samples,
  beforeShare: share.describe('Self share'),
  afterShare: share,
  delta: z.number().min(-1).max(1).describe('afterShare − beforeShare'),
  beforeTotalShare: share.describe('Total (inclusive) share'),
  afterTotalShare: share,
  verdict: z.enum(['regressed', 'improved', 'unchanged', 'not-comparable', 'not-tested']),
  z: z.number().describe('The z of its log odds ratio against the unchanged rest (0 when not tested)'),
  q: z.number().min(0).max(1).describe('Its Benjamini–Hochberg q (1 when not tested)'),
});

/** One comparison of two recordings; `compare` answers one or more. */
export const comparisonOutput = z.strictObject({
  against: z
    .enum(['chosen', 'previous', 'baseline'])
    .describe(
      'chosen: the recording named as `before`; previous: the workload’s recording before `after` ' +
        '(the version before a rollout); baseline: the workload’s pinned baseline',
    ),
  before: side,
  after: side,
  profile,
  verdict: z.enum(['regressed', 'improved', 'unchanged', 'not-comparable', 'not-tested']),
  reasons: z.array(z.string()).describe('Why it could not compare, when it could not'),
  background: z.number().min(0).describe('How the unchanged rest’s share moved (after/before)'),
  grew: z.array(functionChange).max(MAX_TOP).describe('Largest growth of self share first'),
  shrank: z.array(functionChange).max(MAX_TOP).describe('Largest fall of self share first'),
  functions: count,
  method: z.string(),
  diff: z.string().describe('The web UI’s diff graph of the two (a URL with --ui or --server, else a path)'),
});

export const compareOutput = z.strictObject({
  kind: z
    .enum(['chosen', 'workload'])
    .describe(
      'chosen: `before` was given, and comparisons holds that one comparison; workload: `after` alone, ' +
        'compared with its workload’s earlier recordings (zero, one or two comparisons)',
    ),
  after: recordingRef,
  workload: z
    .string()
    .nullable()
    .optional()
    .describe('Kind workload only: the workload of its pinned baseline (deployment/web), null when none'),
  comparisons: z.array(comparisonOutput).max(2),
});

export const linksOutput = z.strictObject({
  id: z.string(),
  namespace: z.string(),
  graph: z.string().describe('The web UI’s flame graph page (a URL with --ui or --server, else a path)'),
  diff: z.string().optional().describe('With compareWith: the diff graph of the two'),
  open: z.string().describe('The command that opens the graph in a browser'),
  artifacts: z.array(
    z.strictObject({ name: z.enum(ARTIFACT_NAMES), bytes: count, uri: z.string().describe('A resource') }),
  ),
});

export type ListOutput = z.infer<typeof listOutput>;
export type RecordOutput = z.infer<typeof recordOutput>;
export type SummarizeOutput = z.infer<typeof summarizeOutput>;
export type ComparisonOutput = z.infer<typeof comparisonOutput>;
export type CompareOutput = z.infer<typeof compareOutput>;
export type LinksOutput = z.infer<typeof linksOutput>;

/** Every tool's output schema, by tool name. */
export const TOOL_OUTPUTS = {
  list: listOutput,
  record: recordOutput,
  summarize: summarizeOutput,
  compare: compareOutput,
  links: linksOutput,
} as const;
