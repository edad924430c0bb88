// bench:continuous's node agent: the agent's own continuous profiling as agent/main.ts starts it
// (sidecar/continuous/start-continuous.ts: the collector over this node's /proc and perf, its two server
// calls, the loop), registered with a fixed upload token against the bench's stand-in server. Only the
// registration is left out: it runs beside the collector in a real agent and costs a call per lease.
// Usage: node --import tsx test/bench/continuous-agent.ts <server URL> <node> <data dir>
import { startContinuous } from '../../sidecar/continuous/start-continuous.ts';
import { ProxyTokens } from '../../sidecar/server-link/proxy-tokens.ts';

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
  { tokens, readServerCa: () => Promise.resolve(undefined) },
);
process.once('SIGTERM', () => {
  void running.stop().then(() => process.exit(0));
});
