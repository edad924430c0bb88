// The server's user listener built in this process (the app tier's fixture, buildServerApps) with the built
// UI, listening on a loopback port: for browser tests of a server that local mode cannot stand for, such as
// a cluster's, whose Kubernetes API is the fake gateway (fake-kube-gateway.ts) at its boundary.
import type { TestContext } from 'node:test';
import { buildUi, DIST_DIR } from '../../ui/build.ts';
import { buildFixture, type Fixture, type FixtureOptions } from '../app/server/server-fixture.ts';

export interface UiFixtureServer {
  baseUrl: string;
  fixture: Fixture;
}

let built: Promise<unknown> | undefined;

/** `ui: false` serves whatever ui/dist holds, without building it (benchmarks that built it already). */
export async function startUiFixtureServer(
  t: TestContext,
  options: FixtureOptions & { ui?: boolean },
): Promise<UiFixtureServer> {
  const { ui, ...fixtureOptions } = options;
  if (ui !== false) {
    built ??= buildUi();
    await built;
  }
  const fixture = await buildFixture(t, { ...fixtureOptions, uiDir: DIST_DIR });
  const baseUrl = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
  return { baseUrl, fixture };
}
