// A server restarted on an earlier fixture's data directory, as far as its catalog goes: the server's own
// catalog module (server/modules/state-modules.ts) opens the directory with the configuration `npm start`
// (local mode) or a cluster's server would resolve, and logs what it does at start-up through a real pino
// logger whose lines the test reads. Pass `{ restarted }` to buildFixture to serve that catalog.
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import type { Catalog } from '../../../server/catalog/catalog-store.ts';
import { resolveConfig } from '../../../server/config/config.ts';
import type { Context, ServerBase } from '../../../server/modules/server-base.ts';
import { catalogModule } from '../../../server/modules/state-modules.ts';
import { createMetricsRegistry } from '../../../server/operations/metrics.ts';

export interface RestartedCatalog {
  restarted: { dataDir: string; catalog: Catalog };
  /** What the server logged while its catalog module started. */
  logLines: () => Record<string, unknown>[];
}

/** The fixture's clock: recordings of the fixtures start in the hour before it. */
const NOW = Date.parse('2026-03-01T12:00:00Z');

export async function restartCatalog(
  t: TestContext,
  dataDir: string,
  mode: 'local' | 'cluster',
): Promise<RestartedCatalog> {
  const local = mode === 'local';
  // A cluster's server needs a certificate's paths to resolve its configuration; the catalog reads none.
  const tls = local ? {} : { FURNACE_TLS_CERT: '/unread/tls.crt', FURNACE_TLS_KEY: '/unread/tls.key' };
  const config = resolveConfig({ local, env: { FURNACE_DATA_DIR: dataDir, ...tls } });
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const base: ServerBase = {
    ...{ config, local, now: () => NOW, log: pino({ level: 'info' }, stream) },
    ...{ metricsRegistry: createMetricsRegistry(), draining: { on: false }, candidate: 'restarted', env: {} },
    fail: (message) => {
      throw new Error(message);
    },
  };
  // The catalog module needs only the cluster connection, which neither mode has here (no bucket).
  const get = (() => undefined) as Context['get'];
  const started = await catalogModule.start({ base, get, isReady: () => true, routes: () => [] });
  t.after(() => started.stop?.(0));
  return {
    // The table types each module's start by every name; this one provides the catalog.
    restarted: { dataDir, catalog: started.provides as Catalog },
    logLines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
