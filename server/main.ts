// The server process: starts the server's modules (modules/start-server.ts) and stops them on SIGTERM
// or SIGINT. Two API listeners: the user one (`host`, `port`) and the recorder one (`recorder.host`,
// `recorder.port`), plus the webhook in a cluster. `--local` runs local mode (both on loopback, auth
// `none`, plus one local sidecar process that registers with the recorder listener). `catalog
// migrate` runs that command instead (modules/server-commands.ts). The only reader of process.env in the
// server.
import { runServerCommand } from './modules/server-commands.ts';
import { startServer, type RunningServer } from './modules/start-server.ts';

function fail(message: string): never {
  process.stderr.write(`furnace: ${message}\n`);
  process.exit(1);
}

let stopping = false;

async function main(): Promise<void> {
  const io = { stdout: process.stdout, stderr: process.stderr };
  const exitCode = await runServerCommand(process.argv.slice(2), io, process.env);
  if (exitCode !== undefined) {
    process.exitCode = exitCode;
    return;
  }
  let running: RunningServer;
  try {
    running = await startServer({ local: process.argv.includes('--local'), env: process.env, fail });
  } catch (error) {
    fail((error as Error).message);
  }
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    running.stop().then(
      () => {
        process.stdout.write('Furnace stopped\n');
        process.exit(0);
      },
      (error: unknown) => fail(`shutdown failed: ${(error as Error).message}`),
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

await main();
