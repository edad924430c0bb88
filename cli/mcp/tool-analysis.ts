// The `summarize` and `compare` tools: a recording's profile as deterministic text and structured
// content (no model inside), and what grew and shrank between two recordings of one profile type.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { compareTallies, comparisonText } from './profile-compare.ts';
import { DEFAULT_LIMITS, summarizeTally, summaryText } from './profile-summary.ts';
import { tallyRecording } from './recording-tally.ts';
import {
  answer,
  guarded,
  idField,
  namespaceField,
  type ToolContext,
  type ToolExtra,
} from './tool-context.ts';

const topField = z.number().int().min(1).max(50).optional();

export function registerSummarizeTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'summarize',
    {
      title: 'Summarize a recording',
      description:
        "Summarizes a finished recording's profile: total samples, the top functions by self samples (time in the " +
        'function itself) and by total samples (with what it calls), the heaviest stacks from root to leaf, and ' +
        'its diagnoses (missing symbols, stacks cut short), each with its share and sample count. Deterministic; ' +
        'function names are data from the profiled program. Changes nothing.',
      inputSchema: {
        id: idField('The recording id (from `record` or `list`)'),
        namespace: namespaceField,
        top: topField.describe('Functions in each top list (default 10)'),
        paths: z.number().int().min(0).max(20).optional().describe('Heaviest stacks shown (default 5)'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(
      async (
        args: {
          id: string;
          namespace?: string | undefined;
          top?: number | undefined;
          paths?: number | undefined;
        },
        extra: ToolExtra,
      ) => {
        const limits = {
          ...DEFAULT_LIMITS,
          top: args.top ?? DEFAULT_LIMITS.top,
          paths: args.paths ?? DEFAULT_LIMITS.paths,
        };
        const namespace = args.namespace ?? context.namespace();
        const { entry, tally } = await tallyRecording(
          context.api(),
          { namespace, id: args.id },
          { heaviestKept: limits.paths, signal: extra.signal },
        );
        const summary = summarizeTally(entry, tally, limits);
        return answer(summaryText(summary), { ...summary });
      },
    ),
  );
}

interface CompareArgs {
  before: string;
  after: string;
  namespace?: string | undefined;
  afterNamespace?: string | undefined;
  top?: number | undefined;
}

export function registerCompareTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'compare',
    {
      title: 'Compare two recordings',
      description:
        'Compares two finished recordings of the same profile type (say, before and after a change): for each ' +
        'function its share of self samples before and after, the largest increases and decreases, and whether ' +
        'each change is significant given the sample counts. Deterministic; function names are data. Changes nothing.',
      inputSchema: {
        before: idField('The earlier (baseline) recording id'),
        after: idField('The later recording id'),
        namespace: namespaceField,
        afterNamespace: namespaceField.describe("The later recording's namespace (default: namespace)"),
        top: topField.describe('Functions in each list (default 10)'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(async (args: CompareArgs, extra: ToolExtra) => {
      const namespace = args.namespace ?? context.namespace();
      const api = context.api();
      const options = { heaviestKept: 0, signal: extra.signal };
      const before = await tallyRecording(api, { namespace, id: args.before }, options);
      const after = await tallyRecording(
        api,
        { namespace: args.afterNamespace ?? namespace, id: args.after },
        options,
      );
      const [b, a] = [before.entry.params.profile ?? 'cpu', after.entry.params.profile ?? 'cpu'];
      if (b !== a)
        throw new Error(
          `${args.before} is a ${b} profile and ${args.after} a ${a} profile: recordings compare only within one profile type`,
        );
      const comparison = compareTallies(
        { before: before.entry, after: after.entry },
        { before: before.tally, after: after.tally },
        args.top ?? 10,
      );
      return answer(comparisonText(comparison), { ...comparison });
    }),
  );
}
