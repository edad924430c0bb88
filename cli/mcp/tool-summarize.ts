// The `summarize` tool: a recording's profile as deterministic text and structured content (no model
// inside).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { DEFAULT_LIMITS, summarizeTally, summaryText } from './profile-summary.ts';
import { tallyRecording } from './recording-tally.ts';
import {
  answer,
  guarded,
  idField,
  namespaceField,
  topField,
  type ToolContext,
  type ToolExtra,
} from './tool-context.ts';
import { MAX_PATHS, summarizeOutput, type SummarizeOutput } from './tool-outputs.ts';

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
        paths: z
          .number()
          .int()
          .min(0)
          .max(MAX_PATHS)
          .optional()
          .describe('Heaviest stacks shown (default 5)'),
      },
      outputSchema: summarizeOutput,
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
        const structured: SummarizeOutput = { ...summary };
        return answer(summaryText(summary), structured);
      },
    ),
  );
}
