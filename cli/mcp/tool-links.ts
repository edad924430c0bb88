// The `links` tool: where a person sees a recording (its flame graph page in the web UI, or its diff
// graph with another) and its artifacts as resource links. Read-only.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { RESOURCE_ARTIFACTS, resourceUri } from './artifact-resources.ts';
import { getEntry } from './furnace-reads.ts';
import { diffPath, guarded, idField, namespaceField, uiLink, type ToolContext } from './tool-context.ts';
import { boundedText } from './bounded-text.ts';
import { linksOutput, type LinksOutput } from './tool-outputs.ts';

interface LinksArgs {
  id: string;
  namespace?: string | undefined;
  compareWith?: string | undefined;
}

export function registerLinksTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'links',
    {
      title: 'Links to a recording',
      description:
        "Gives a recording's page in the Furnace web UI (its flame graph; with compareWith, the diff graph of the " +
        'two) and its artifacts (folded stacks, SVG flame graph, pprof) as resource links to read. Changes nothing.',
      inputSchema: {
        id: idField('The recording id'),
        namespace: namespaceField,
        compareWith: idField('An earlier recording to show the diff from').optional(),
      },
      outputSchema: linksOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(async (args: LinksArgs): Promise<CallToolResult> => {
      const namespace = args.namespace ?? context.namespace();
      const entry = await getEntry(context.api(), namespace, args.id);
      const graph = uiLink(context, `/recordings/${encodeURIComponent(entry.id)}`);
      const diff =
        args.compareWith === undefined ? undefined : uiLink(context, diffPath(args.compareWith, entry.id));
      const open = `kubectl furnace open ${entry.id}${context.connectionFlags}`;
      const artifacts = entry.artifacts
        .filter((a) => RESOURCE_ARTIFACTS[a.name] !== undefined)
        .map((a): LinksOutput['artifacts'][number] => ({
          name: a.name,
          bytes: a.bytes,
          uri: resourceUri(namespace, entry.id, a.name),
        }));
      const lines = [
        `Flame graph of ${entry.id}: ${graph}${context.uiBase === undefined ? ` (a path of the web UI; \`${open}\` opens it)` : ''}`,
        ...(diff === undefined ? [] : [`Diff graph ${args.compareWith} → ${entry.id}: ${diff}`]),
        'Artifacts (resources):',
        ...artifacts.map((a) => `  ${a.uri} (${a.bytes} bytes)`),
      ];
      const structured: LinksOutput = {
        id: entry.id,
        namespace,
        graph,
        ...(diff === undefined ? {} : { diff }),
        open,
        artifacts,
      };
      return {
        content: [
          { type: 'text', text: boundedText(lines.join('\n')) },
          ...artifacts.map((a) => ({
            type: 'resource_link' as const,
            uri: a.uri,
            name: `${entry.id}/${a.name}`,
            mimeType: RESOURCE_ARTIFACTS[a.name]?.mimeType,
            description: `${RESOURCE_ARTIFACTS[a.name]?.title ?? a.name} of recording ${entry.id}`,
          })),
        ],
        structuredContent: structured,
      };
    }),
  );
}
