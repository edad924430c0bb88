// A real debuginfod server (Debian's `debuginfod`, elfutils) for the test's debug files: it scans a
// directory of them (-F) into its own SQLite database and answers `/buildid/<id>/debuginfo` like any
// distribution's server. It takes a port of its own (no port 0, no bind address; the tests reach it on
// loopback only) and is stopped by its PID when the test ends.
import { copyFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEBUGINFOD_USER_AGENT } from '../../sidecar/symbols/debuginfod-client.ts';
import { freePort } from './ports.ts';
import { startProcess, type RunningProcess } from './processes.ts';
import { tempDir } from './temp-dirs.ts';

export interface DebuginfodServer {
  /** Base URL on loopback, as DEBUGINFOD_URLS takes it. */
  url: string;
  /** The directory it serves; files copied in are found on the next scan. */
  dir: string;
  process: RunningProcess;
  /** Copies a debug file into the served directory and waits until the server answers for its build id. */
  serve(debugFile: string, buildId: string): Promise<void>;
  /** The recorder's GET requests for the build id's debug file, counted from the server's log. */
  requests(buildId: string): number;
}

const PROBE_AGENT = 'furnace-test-probe';
/** The recorder's user agent as debuginfod logs it (letters and digits only). */
const RECORDER_AGENT = DEBUGINFOD_USER_AGENT.replace(/[^A-Za-z0-9]/g, '');

async function answers(url: string, buildId: string): Promise<boolean> {
  // debuginfod answers HEAD with 400: a GET, its body dropped, under a user agent of its own.
  const response = await fetch(`${url}/buildid/${buildId}/debuginfo`, {
    headers: { 'user-agent': PROBE_AGENT },
  }).catch(() => undefined);
  await response?.body?.cancel();
  return response?.status === 200;
}

export async function startDebuginfod(t: TestContext): Promise<DebuginfodServer> {
  const dir = await tempDir(t, 'furnace-debuginfod-files-');
  const state = await tempDir(t, 'furnace-debuginfod-db-');
  const port = await freePort();
  // -t 1: rescan every second, so a file served mid-test is found; -g 0: no grooming; -v: one log line per request.
  const server = startProcess(
    t,
    'debuginfod',
    ['-F', '-p', String(port), '-d', join(state, 'db.sqlite'), '-t', '1', '-g', '0', '-v', dir],
    {
      cleanEnv: true,
    },
  );
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    dir,
    process: server,
    async serve(debugFile, buildId) {
      await copyFile(debugFile, join(dir, basename(debugFile)));
      for (let attempt = 0; attempt < 300; attempt++) {
        if (await answers(url, buildId)) return;
        if (server.child.exitCode !== null)
          throw new Error(`debuginfod exited: ${server.output().slice(-2000)}`);
        await sleep(100);
      }
      throw new Error(`debuginfod did not serve ${buildId} within 30 s: ${server.output().slice(-2000)}`);
    },
    requests(buildId) {
      const asked = `GET /buildid/${buildId}/debuginfo `;
      return server
        .output()
        .split('\n')
        .filter((line) => line.includes(asked) && line.includes(`UA:${RECORDER_AGENT}`)).length;
    },
  };
}
