// The MCP SDK's own client driving `furnace mcp` as a subprocess over stdio (`node cli/bin.js mcp …`,
// as `kubectl furnace mcp` runs it), or its tools in this process over the SDK's in-memory transport,
// closed when the test ends; and what tests read from their answers. Each session lists the tools once it
// is connected, as clients do: from then on the SDK's client checks every structured result against its
// tool's outputSchema and rejects the call when it does not match. A subprocess session notes how its
// server ended: a server gone mid-call leaves the client only 'MCP error -32000: Connection closed'.
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FurnaceApi } from '../../cli/kube-api.ts';
import { buildAssistantServer } from '../../cli/mcp/assistant-server.ts';
import type { ChildProcess } from './child-processes.ts';
import { PROJECT_ROOT } from './project-root.ts';

export interface McpSession {
  client: Client;
  /** What the server wrote on stderr so far. */
  stderr: () => string;
  /** The server process's id. */
  pid: () => number;
  /** How the server process ended (its exit code or signal, ms after its start); undefined while it runs. */
  ended: () => string | undefined;
}

/**
 * Calls `note` with how the transport's server process ends, from its spawn on. The SDK's transport keeps
 * its ChildProcess to itself and tells only that the connection closed; the process's exit says whether it
 * exited (code 0 once its stdin ended, 1 after an error it wrote on stderr) or a signal ended it, which
 * writes nothing on stderr (a SIGTERM or SIGKILL from outside). It is known before the client's pending
 * calls fail: the child's exit comes before the close of its pipes that ends the connection.
 */
function watchExit(transport: StdioClientTransport, note: (ended: string) => void): void {
  const start = transport.start.bind(transport);
  transport.start = async () => {
    await start();
    const child = (transport as unknown as { _process?: ChildProcess })._process;
    const startedAt = Date.now();
    child?.once('exit', (code, signal) => {
      const how = signal === null ? `exited with code ${code}` : `was ended by ${signal}`;
      note(`furnace mcp (pid ${child.pid}) ${how}, ${Date.now() - startedAt} ms after its start`);
    });
  };
}

export async function startMcp(
  t: TestContext,
  options: { args: string[]; env?: Record<string, string>; cwd?: string; node?: string },
): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: options.node ?? process.execPath,
    args: [join(PROJECT_ROOT, 'cli', 'bin.js'), 'mcp', ...options.args],
    env: { ...(process.env as Record<string, string>), ...options.env },
    cwd: options.cwd ?? PROJECT_ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  let ended: string | undefined;
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'furnace-test', version: '1.0.0' });
  // What the server said on stderr and how it ended, if it did before the test's end, go with the test's
  // output: a server that went away says why there.
  t.after(() => {
    const said = stderr.trim() === '' ? 'nothing on stderr' : `on stderr: ${stderr.slice(-4000)}`;
    if (ended !== undefined || stderr.trim() !== '')
      t.diagnostic(`furnace mcp ${options.args.join(' ')}: ${ended ?? 'still running'}; ${said}`);
  });
  watchExit(transport, (how) => (ended = how));
  await client.connect(transport);
  t.after(() => client.close());
  await client.listTools();
  return {
    client,
    stderr: () => stderr,
    pid: () => {
      if (transport.pid === null) throw new Error('furnace mcp is not running');
      return transport.pid;
    },
    ended: () => ended,
  };
}

/** The tools of `furnace mcp` on `api` (the CLI's FurnaceApi), reached by the SDK's client in memory. */
export async function connectAssistant(
  t: TestContext,
  api: FurnaceApi,
  namespace: string,
  uiBase?: string,
): Promise<Pick<McpSession, 'client'>> {
  const closing = new AbortController();
  t.after(() => closing.abort());
  const server = buildAssistantServer(
    { api: () => api, namespace: () => namespace, uiBase, connectionFlags: '', closing: closing.signal },
    '0.0.0',
  );
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'furnace-test', version: '1.0.0' });
  await client.connect(clientSide);
  t.after(() => client.close());
  await client.listTools();
  return { client };
}

/** A tool's answer, with its text joined and its structured content typed as the test expects. */
export async function callTool<T = Record<string, unknown>>(
  session: Pick<McpSession, 'client'>,
  name: string,
  args: Record<string, unknown>,
  options: Parameters<Client['callTool']>[2] = {},
): Promise<{ isError: boolean; text: string; structured: T; result: CallToolResult }> {
  const result = (await session.client.callTool({ name, arguments: args }, undefined, {
    timeout: 120_000,
    ...options,
  })) as CallToolResult;
  const text = result.content
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
  return { isError: result.isError === true, text, structured: result.structuredContent as T, result };
}
