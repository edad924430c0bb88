// bench:continuous's node agent: the agent's own continuous profiling as agent/main.ts starts it
// (sidecar/continuous/start-continuous.ts: the collector over this node's /proc and perf, its two server
// calls, the loop), compiled (dist/, as the image runs it: plain node, no tsx) and registered with a
// fixed upload token against the bench's stand-in server. Only the registration is left out: it runs
// beside the collector in a real agent and costs one call per lease. This file is run by plain node
// (type stripping), so it only imports types from the sources and the code from dist/.
// Usage: node test/bench/continuous-agent.ts <server URL> <node> <data dir>
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type StartModule = typeof import('../../sidecar/continuous/start-continuous.ts');
type TokensModule = typeof import('../../sidecar/server-link/proxy-tokens.ts');
type SymbolsModule = typeof import('../../sidecar/symbols/kernel-symbols.ts');

const dist = join(import.meta.dirname, '..', '..', 'dist', 'sidecar');
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(dist, path)).href)) as T;
const { startContinuous } = await load<StartModule>('continuous/start-continuous.js');
const { ProxyTokens } = await load<TokensModule>('server-link/proxy-tokens.js');
const { createKernelSymbolsCopy } = await load<SymbolsModule>('symbols/kernel-symbols.js');

const [serverUrl, nodeName, dataDir] = process.argv.slice(2);
if (serverUrl === undefined || nodeName === undefined || dataDir === undefined)
  throw new Error('usage: continuous-agent.ts <server URL> <node> <data dir>');
const tokens = new ProxyTokens();
tokens.accept({ proxyToken: 'bench-proxy', uploadToken: 'bench-upload' }, Date.now(), 3600);
const running = startContinuous(
  {
    serverUrl,
    nodeName,
    perfPath: process.env.FURNACE_PERF_PATH ?? 'perf',
    dataDir,
    continuous: { pollSeconds: 5, maxPendingWindows: 8 },
  },
  {
    tokens,
    readServerCa: () => Promise.resolve(undefined),
    kernelSymbols: createKernelSymbolsCopy(`${dataDir}/kallsyms`),
  },
);
process.once('SIGTERM', () => {
  void running.stop().then(() => process.exit(0));
});
