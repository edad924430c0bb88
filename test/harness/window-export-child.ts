// A process that exports the continuous windows under a data directory to one Pyroscope sink, as the
// server's leader does (server/sinks/window-export.ts, the real HTTP push and the real window store),
// until it is killed: what a fault test kills (SIGKILL) mid-export and starts again.
// Usage: node --import tsx test/harness/window-export-child.ts <dataDir> <sink URL> <windows per batch>
import { DEFAULT_SINK_DELIVERY } from '../../core/sinks/sink.ts';
import { filesystemWindows } from '../../server/continuous/window-store.ts';
import { sendPush } from '../../server/sinks/push-http.ts';
import { startWindowExport } from '../../server/sinks/window-export.ts';

const [dataDir, url, batch] = process.argv.slice(2);
if (dataDir === undefined || url === undefined || batch === undefined)
  throw new Error('usage: window-export-child.ts <dataDir> <sink URL> <windows per batch>');
startWindowExport({
  sinks: [
    {
      name: 'pyro',
      type: 'pyroscope',
      url,
      recordings: 'named',
      continuous: true,
      format: 'folded',
      timeoutSeconds: 5,
    },
  ],
  settings: { ...DEFAULT_SINK_DELIVERY, concurrency: 1, initialBackoffSeconds: 1, maxBackoffSeconds: 2 },
  windows: filesystemWindows(dataDir),
  frequency: 19,
  send: sendPush,
  now: () => Date.now(),
  log: { info: (msg) => process.stdout.write(`${msg}\n`), warn: (msg) => process.stdout.write(`${msg}\n`) },
  everyMs: 100,
  batch: Number(batch),
});
process.stdout.write('exporting\n');
// The export's timer is unref'd (it never holds a server up): this one keeps the process alive.
setInterval(() => {}, 60_000);
