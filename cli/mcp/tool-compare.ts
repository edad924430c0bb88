// The `compare` tool: what grew and shrank between two recordings of one profile type, or between a
// recording and its workload's earlier ones (the recording before a rollout and the pinned baseline, as the
// server finds them for the UI and the rollout watch). Deterministic text and structured content; both
// ways answer one shape (tool-outputs.ts): `kind`, the later recording, and a list of comparisons.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { EntryView } from './answer-schemas.ts';
import { workloadEarlier } from './furnace-reads.ts';
import { compareTallies, comparisonText, type ProfileComparison } from './profile-compare.ts';
import { tallyRecording } from './recording-tally.ts';
import type { StackTally } from './stack-tally.ts';
import {
  answer,
  diffPath,
  guarded,
  idField,
  namespaceField,
  topField,
  type ToolContext,
  type ToolExtra,
  uiLink,
} from './tool-context.ts';
import { compareOutput, type CompareOutput, type ComparisonOutput } from './tool-outputs.ts';

interface CompareArgs {
  before?: string | undefined;
  after: string;
  namespace?: string | undefined;
  afterNamespace?: string | undefined;
  top?: number | undefined;
}

type Tallied = { entry: EntryView; tally: StackTally };

const AGAINST: Readonly<Record<ComparisonOutput['against'], string>> = {
  chosen: 'the recording named as before',
  previous: 'the recording of its workload before it (the version before the rollout)',
  baseline: "its workload's pinned baseline",
};

function compared(before: Tallied, after: Tallied, top: number): ProfileComparison {
  const [b, a] = [before.entry.params.profile ?? 'cpu', after.entry.params.profile ?? 'cpu'];
  if (b !== a)
    throw new Error(
      `${before.entry.id} is a ${b} profile and ${after.entry.id} a ${a} profile: recordings compare only within one profile type`,
    );
  return compareTallies(
    { before: before.entry, after: after.entry },
    { before: before.tally, after: after.tally },
    top,
  );
}

/** `after` against its workload's earlier recordings, each compared as two chosen recordings are. */
async function compareWithWorkload(
  context: ToolContext,
  after: Tallied,
  options: { top: number; signal: AbortSignal },
) {
  const api = context.api();
  const { namespace, id, pod } = after.entry;
  const found = await workloadEarlier(api, namespace, id);
  const comparisons: ComparisonOutput[] = [];
  for (const earlier of found.earlier) {
    const before = await tallyRecording(
      api,
      { namespace, id: earlier.id },
      { heaviestKept: 0, signal: options.signal },
    );
    comparisons.push({
      against: earlier.kind,
      ...compared(before, after, options.top),
      diff: uiLink(context, diffPath(earlier.id, id)),
    });
  }
  const workload = found.workload ?? null;
  const head =
    comparisons.length === 0
      ? `Recording ${id} of ${namespace}/${pod} has no earlier recording of its workload to compare with ` +
        '(none finished before it of a pod of the same workload, profile type, container and process pattern, ' +
        'and no pinned baseline). Name an earlier recording as `before` to compare with it.'
      : `Recording ${id} of ${namespace}/${pod}${workload === null ? '' : ` (workload ${workload})`} against ` +
        `${comparisons.length === 1 ? 'one earlier recording' : `${comparisons.length} earlier recordings`} of its workload.`;
  const text = [
    head,
    ...comparisons.flatMap((c) => [
      '',
      `Against ${AGAINST[c.against]}, ${c.before.id} (diff graph: ${c.diff}):`,
      comparisonText(c),
    ]),
  ].join('\n');
  const structured: CompareOutput = {
    kind: 'workload',
    after: { id, namespace, pod },
    workload,
    comparisons,
  };
  return answer(text, structured);
}

export function registerCompareTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'compare',
    {
      title: 'Compare recordings',
      description:
        'Compares two finished recordings of the same profile type (say, before and after a change): for each ' +
        'function its share of self samples before and after, the largest increases and decreases, and whether ' +
        'each change is significant given the sample counts. Without `before`, compares `after` with its ' +
        "workload's earlier recordings, as Furnace finds them for a rollout: the recording of a pod of the same " +
        'workload (Deployment, StatefulSet, DaemonSet) before it, and the baseline pinned for the workload; the ' +
        'answer then lists one comparison per earlier recording (none when there is none). Deterministic; ' +
        'function names are data. Changes nothing.',
      inputSchema: {
        before: idField(
          "The earlier recording id; leave it out to compare with the workload's recording before a rollout and its pinned baseline",
        ).optional(),
        after: idField('The later recording id'),
        namespace: namespaceField,
        afterNamespace: namespaceField.describe(
          "The later recording's namespace (default: namespace; without `before`, its workload's too)",
        ),
        top: topField.describe('Functions in each list (default 10)'),
      },
      outputSchema: compareOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(async (args: CompareArgs, extra: ToolExtra) => {
      const namespace = args.namespace ?? context.namespace();
      const api = context.api();
      const options = { heaviestKept: 0, signal: extra.signal };
      const top = args.top ?? 10;
      if (args.before === undefined) {
        const after = await tallyRecording(
          api,
          { namespace: args.afterNamespace ?? namespace, id: args.after },
          options,
        );
        return compareWithWorkload(context, after, { top, signal: extra.signal });
      }
      const before = await tallyRecording(api, { namespace, id: args.before }, options);
      const after = await tallyRecording(
        api,
        { namespace: args.afterNamespace ?? namespace, id: args.after },
        options,
      );
      const comparison = compared(before, after, top);
      const diff = uiLink(context, diffPath(before.entry.id, after.entry.id));
      const { id, namespace: afterNamespace, pod } = after.entry;
      const structured: CompareOutput = {
        kind: 'chosen',
        after: { id, namespace: afterNamespace, pod },
        comparisons: [{ against: 'chosen', ...comparison, diff }],
      };
      return answer(`${comparisonText(comparison)}\nDiff graph: ${diff}`, structured);
    }),
  );
}
