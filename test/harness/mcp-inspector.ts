// The MCP Inspector's CLI mode (`mcp-inspector --cli … --method M`) as a second client of `furnace mcp`:
// one method per run, a new server each time. The inspector reads nothing of its server's stderr and says
// only 'MCP error -32000: Connection closed' when the server goes away mid-call, so the server runs under a
// shell that appends its stderr, then its exit status, to a file: a failed run says both. The status is
// the server's exit code (0 once its stdin ended, 1 after an error on stderr) or 128 + N when signal N
// ended it (143 SIGTERM, 137 SIGKILL), which writes nothing on stderr.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from './child-processes.ts';
import { run } from './processes.ts';
import { PROJECT_ROOT } from './project-root.ts';

const INSPECTOR = join(PROJECT_ROOT, 'node_modules', '.bin', 'mcp-inspector');
let runs = 0;

/**
 * The shell the server runs under ("$@" is `node cli/bin.js mcp` and its arguments). It stays the server's
 * parent (no exec) to write the status; a SIGTERM the inspector sends when a server outlives its closed
 * stdin by 2 s, after the answer, then ends the shell, and the server exits on its own.
 */
const SERVER_SHELL =
  '"$@" 2>>"$FURNACE_MCP_STDERR"; echo "furnace mcp exited with status $? at $(date -u +%T)" >>"$FURNACE_MCP_STDERR"';

export interface InspectorRun {
  /** The inspector's stdout: the answer as JSON. */
  stdout: string;
  /** What the server wrote on stderr, then its exit status line. */
  server: string;
}

/**
 * Runs the inspector with `args` (`--method …`, then `--` and furnace mcp's own arguments) against
 * `node cli/bin.js mcp`, its stderr and exit status kept in a file of `dir` for this run. Rejects with the
 * inspector's error, what the server said and how it ended. `onStart` gets the inspector's process, to
 * find the server under it.
 */
export async function runInspector(
  options: { dir: string; env: Record<string, string>; onStart?: (inspector: ChildProcess) => void },
  args: string[],
): Promise<InspectorRun> {
  runs += 1;
  const serverStderr = join(options.dir, `inspector-server-${runs}.stderr`);
  const server = [process.execPath, join(PROJECT_ROOT, 'cli', 'bin.js'), 'mcp'];
  const command = ['--cli', 'sh', '-c', SERVER_SHELL, 'sh', ...server, ...args];
  const env = { ...process.env, ...options.env, FURNACE_MCP_STDERR: serverStderr };
  const said = (): Promise<string> =>
    readFile(serverStderr, 'utf8').catch(() => '(no file: it never started)');
  const running = run(INSPECTOR, command, { env });
  options.onStart?.(running.child);
  try {
    const { stdout } = await running;
    return { stdout, server: await said() };
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nfurnace mcp under the inspector said on stderr, then how it ended: ${await said()}`,
    );
  }
}
