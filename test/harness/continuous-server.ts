// The server's user listener with continuous mode on, built in this process (buildServerApps, through the
// app tier's fixture), listening on a loopback port and serving the built UI: for the Continuous page's
// browser test and bench:continuous-ui. Continuous mode needs agent mode, which needs a cluster: the
// Kubernetes API is the app tier's fake gateway (fake-kube-gateway.ts), at its boundary only. Windows are
// written through the server's own window store, as the agent's upload route stores them.
import type { TestContext } from 'node:test';
import { windowKey } from '../../server/continuous/window-keys.ts';
import { filesystemWindows, type WindowStore } from '../../server/continuous/window-store.ts';
import { CONTINUOUS_AGENT_SETTINGS } from '../app/server/continuous-fixture.ts';
import type { Fixture } from '../app/server/server-fixture.ts';
import { fakeKubeGateway, type FakeKubeGateway } from './fake-kube-gateway.ts';
import { startUiFixtureServer } from './ui-fixture-server.ts';

export interface ContinuousServer {
  baseUrl: string;
  fixture: Fixture;
  windows: WindowStore;
}

/**
 * Auth mode `none` on loopback by default, as local mode: the page opens signed in. `kubernetes` with the
 * tokens and decisions of `kube` for tests of who may see what.
 */
export async function startContinuousServer(
  t: TestContext,
  options: { kube?: FakeKubeGateway; ui?: boolean } = {},
): Promise<ContinuousServer> {
  const { baseUrl, fixture } = await startUiFixtureServer(t, {
    ...(options.kube ? { authMode: 'kubernetes' as const } : {}),
    kube: options.kube ?? fakeKubeGateway({ namespaces: { shop: { furnace: 'enabled' } } }),
    registration: 'local',
    agent: { settings: CONTINUOUS_AGENT_SETTINGS },
    ...(options.ui === false ? { ui: false } : {}),
  });
  return { baseUrl, fixture, windows: filesystemWindows(fixture.dataDir) };
}

export const WINDOW_MS = 15_000;

export interface SeededPod {
  pod: string;
  workload: string;
  /** The folded stacks of window i (of 240 in the hour). */
  folded: (i: number) => string;
}

/** One hour of 15 s windows from `start` for each pod, in namespace `shop`, container `app`. */
export async function seedHour(windows: WindowStore, start: number, pods: SeededPod[]): Promise<number> {
  let written = 0;
  for (let i = 0; i < 240; i++)
    await Promise.all(
      pods.map(async (seeded) => {
        const meta = {
          namespace: 'shop',
          node: 'node-a',
          pod: seeded.pod,
          container: 'app',
          workload: seeded.workload,
          start: start + i * WINDOW_MS,
          end: start + (i + 1) * WINDOW_MS,
        };
        await windows.put(windowKey(meta), seeded.folded(i));
        written += 1;
      }),
    );
  return written;
}
