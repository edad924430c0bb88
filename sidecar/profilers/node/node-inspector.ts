// One Node.js process's inspector for one recording: opened with SIGUSR1 (Node then listens on
// 127.0.0.1:9229, or the port its --inspect-port says), the CPU profiler run over the DevTools protocol
// (chrome-remote-interface), and the inspector closed again — unless it was open before the recording, in
// which case it is left as it was. The inspector runs any code it is sent: it is open only for the
// recording, only on loopback (docs/security.md).
import CDP from 'chrome-remote-interface';
import { findInspector, inspectorAt, type InspectorTarget } from './inspector-port.ts';
import { cpuProfileToFolded } from '../../../core/stacks/cpuprofile-folded.ts';
import type { FoldedStacks } from '../../../core/stacks/folded.ts';
import { heapProfileToFolded } from '../../../core/stacks/heap-profile-folded.ts';

export interface InspectorDeps {
  /** Sends a signal to a process (process.kill). */
  kill(pid: number, signal: NodeJS.Signals): void;
  sleep(ms: number): Promise<void>;
  procRoot?: string;
}

export interface OpenInspector {
  target: InspectorTarget;
  /** Whether the recording opened it (and so closes it). */
  openedByUs: boolean;
}

/** How long Node may take to open its inspector after SIGUSR1. */
export const OPEN_TIMEOUT_MS = 5000;

/** Opens the process's inspector (SIGUSR1) unless it is open; throws naming why when it does not open. */
export async function openInspector(deps: InspectorDeps, pid: number): Promise<OpenInspector> {
  const open = await findInspector(pid, deps.procRoot);
  if (open !== undefined) return { target: open, openedByUs: false };
  deps.kill(pid, 'SIGUSR1');
  for (let waited = 0; waited < OPEN_TIMEOUT_MS; waited += 100) {
    await deps.sleep(100);
    const target = await findInspector(pid, deps.procRoot);
    if (target !== undefined) return { target, openedByUs: true };
  }
  throw new Error(
    `process ${pid} opened no inspector on 127.0.0.1 within ${OPEN_TIMEOUT_MS / 1000} s of SIGUSR1 (not Node.js, started with --disable-sigusr1, or its inspector port is taken)`,
  );
}

type Client = Awaited<ReturnType<typeof CDP>>;

export interface ProfilingSession {
  /** Stops the profiler and returns its profile folded, each stack starting with `root`. */
  stop(root: string): Promise<FoldedStacks>;
  /**
   * Closes the connection, and the inspector too when the recording opened it: true once its port no
   * longer answers (always true for an inspector that was open before, which is left open).
   */
  close(): Promise<boolean>;
}

/** Closes the inspector from inside the process once this connection is gone (inspector.close waits for it). */
const CLOSE_INSPECTOR = `(() => {
  const inspector = globalThis.process.getBuiltinModule?.('node:inspector') ?? require('node:inspector');
  setTimeout(() => inspector.close(), 0);
  return true;
})()`;

async function closeSession(deps: InspectorDeps, opened: OpenInspector, client: Client): Promise<boolean> {
  if (opened.openedByUs)
    await client.Runtime.evaluate({ expression: CLOSE_INSPECTOR, includeCommandLineAPI: true }).catch(
      () => undefined,
    );
  await client.close().catch(() => undefined);
  if (!opened.openedByUs) return true;
  for (let waited = 0; waited < 2000; waited += 100) {
    if ((await inspectorAt(opened.target.port, 500)) === undefined) return true;
    await deps.sleep(100);
  }
  return false;
}

/** What a recording asks of V8: its CPU profiler at an interval (µs), or its sampling heap profiler. */
export type NodeProfileKind = { type: 'cpu'; intervalUs: number } | { type: 'heap' };

/** Connects to the inspector and starts the profiler; the session stops it and closes the inspector. */
export async function startNodeProfile(
  deps: InspectorDeps,
  opened: OpenInspector,
  kind: NodeProfileKind,
): Promise<ProfilingSession> {
  const client: Client = await CDP({ target: opened.target.webSocketUrl, local: true });
  try {
    if (kind.type === 'cpu') {
      await client.Profiler.enable();
      await client.Profiler.setSamplingInterval({ interval: kind.intervalUs });
      await client.Profiler.start();
    } else {
      await client.HeapProfiler.enable();
      await client.HeapProfiler.startSampling({});
    }
  } catch (error) {
    await closeSession(deps, opened, client);
    throw error;
  }
  return {
    async stop(root) {
      if (kind.type === 'cpu') {
        const { profile } = await client.Profiler.stop();
        return cpuProfileToFolded(profile, root).stacks;
      }
      const { profile } = await client.HeapProfiler.stopSampling();
      return heapProfileToFolded(profile.head, root);
    },
    close: () => closeSession(deps, opened, client),
  };
}
