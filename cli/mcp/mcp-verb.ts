// `furnace mcp` (`kubectl furnace mcp`): an MCP server on stdin and stdout for an assistant, reaching
// Furnace as every other verb does (the aggregated API with the kubeconfig's credentials, or --server).
// stdout carries only the protocol; messages go to stderr.
import { readFileSync } from 'node:fs';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { optionText, UsageError, type VerbSpec } from '../args.ts';
import { remoteVerb, type VerbContext } from '../remote.ts';
import { buildAssistantServer } from './assistant-server.ts';

export const MCP_VERB: VerbSpec = {
  name: 'mcp',
  positionals: [],
  summary:
    'Serves the Model Context Protocol on stdin and stdout, so an assistant (an editor, a terminal, a chat app)\n' +
    'can list pods and recordings, record a pod, summarize and compare recordings, with your own rights.',
  options: [
    {
      name: 'namespace',
      short: 'n',
      value: 'NS',
      help: "the tools' default namespace (default: the kubeconfig context's, else default)",
    },
    {
      name: 'ui',
      value: 'URL',
      help: "the Furnace web UI's address for links (default with --server: that URL; else UI paths)",
    },
  ],
  notes:
    'Add it to an MCP client as the command `kubectl furnace mcp` (see docs/assistant.md). Every call is yours:\n' +
    'the API server checks your RBAC and Furnace its own; a refusal comes back as a tool error in their words.',
};

function version(): string {
  for (const path of ['../../package.json', '../../../package.json'])
    try {
      return (JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { version: string })
        .version;
    } catch {
      // the other layout (dist/cli/mcp or cli/mcp)
    }
  return '0.0.0';
}

function connectionFlags(context: VerbContext): string {
  return ['server', 'key-file', 'kubeconfig', 'context']
    .map((name) => [name, optionText(context.parsed, name)] as const)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` --${name} ${JSON.stringify(value)}`)
    .join('');
}

async function serve(context: VerbContext): Promise<number> {
  const closing = new AbortController();
  const uiBase = optionText(context.parsed, 'ui') ?? optionText(context.parsed, 'server');
  if (uiBase !== undefined && !URL.canParse(uiBase))
    throw new UsageError(
      `--ui ${JSON.stringify(uiBase)} is not a URL (for example https://furnace.example.com)`,
    );
  const server = buildAssistantServer(
    {
      api: context.api,
      namespace: context.namespace,
      uiBase,
      connectionFlags: connectionFlags(context),
      closing: closing.signal,
    },
    version(),
  );
  const transport = new StdioServerTransport(context.io.stdin, context.io.stdout);
  const ended = new Promise<void>((resolve) => {
    context.io.stdin.once('end', resolve);
    context.io.stdin.once('close', resolve);
    transport.onclose = resolve;
  });
  await server.connect(transport);
  await ended;
  closing.abort();
  await server.close();
  return 0;
}

export const run = remoteVerb(MCP_VERB, serve);
