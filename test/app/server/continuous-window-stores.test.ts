// Continuous profiling's window stores on what they run on: files under the data directory and a real
// S3 server (versitygw, test/harness/s3-server.ts). Both hold the same windows the same way, list them by
// hour, remove an hour whole, and stay out of the catalog's artifacts, so the catalog's orphan collector
// (which lists recordings/) never sees a window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createS3Client } from '../../../server/storage/s3-client.ts';
import { s3Windows } from '../../../server/continuous/s3-window-store.ts';
import { filesystemWindows, type WindowStore } from '../../../server/continuous/window-store.ts';
import { windowKey, type WindowMeta } from '../../../server/continuous/window-keys.ts';
import { mergeWindows } from '../../../server/continuous/merge-windows.ts';
import { keepWindows, removeExpiredWindows } from '../../../server/continuous/continuous-retention.ts';
import { Counter, Registry } from 'prom-client';
import {
  filesystemStore,
  s3StorageOf,
  s3StoreForFile,
  type StoreUnderTest,
} from '../../harness/catalog-stores.ts';
import { workDir } from '../../harness/temp-dirs.ts';

const s3 = s3StoreForFile();
const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 10, 20, 10, 0, 0);

function meta(pod: string, start: number): WindowMeta {
  return {
    namespace: 'shop',
    node: 'node-1',
    pod,
    container: 'app',
    workload: 'Deployment/web',
    start,
    end: start + 15_000,
  };
}

function windowsOn(under: StoreUnderTest, dataDir: string): WindowStore {
  if (under.name === 'filesystem') return filesystemWindows(dataDir);
  const storage = s3StorageOf(
    under.server?.() ?? assert.fail('no S3 server'),
    `t-${Math.random().toString(36).slice(2)}/`,
  );
  return s3Windows(createS3Client(storage), storage);
}

for (const under of [filesystemStore, s3]) {
  describe(`continuous windows on ${under.name}`, () => {
    it('are written, listed by hour, merged, and removed an hour at a time', async (t) => {
      const dataDir = await workDir(t, `windows-${under.name}`);
      const artifacts = await under.open(t, dataDir);
      const windows = windowsOn(under, dataDir);
      for (let h = 0; h < 3; h++)
        for (const pod of ['web-1', 'web-2'])
          await windows.put(windowKey(meta(pod, BASE + h * HOUR)), `${pod};main;work ${h + 1}\n`);
      const hours: string[] = [];
      for await (const bucket of windows.hours()) hours.push(`${bucket.namespace}/${bucket.hour}`);
      assert.deepEqual(hours.sort(), ['shop/2026112010', 'shop/2026112011', 'shop/2026112012']);
      const all = await mergeWindows(windows, { namespace: 'shop', from: BASE, to: BASE + 3 * HOUR });
      assert.equal(all.windows, 6);
      assert.equal(all.samples, 2 * (1 + 2 + 3));
      const listed: string[] = [];
      for await (const artifact of artifacts.list()) listed.push(artifact.key);
      assert.deepEqual(
        listed,
        [],
        'the catalog’s store lists no window: its orphan collector cannot remove one',
      );

      // Two hours of retention, 30 minutes after the last hour ended: only the first hour ended more than
      // two hours (and the longest window) ago.
      assert.equal(await removeExpiredWindows(windows, BASE + 3 * HOUR + 30 * 60_000, 2), 1);
      const left = await mergeWindows(windows, { namespace: 'shop', from: BASE, to: BASE + 3 * HOUR });
      assert.equal(left.windows, 4);
      assert.equal(left.samples, 2 * (2 + 3));
      assert.equal(await windows.get(windowKey(meta('web-1', BASE))), undefined);
    });

    it('keep a continuous sink’s state beside the windows, where no listing, compaction or retention reaches it', async (t) => {
      const dataDir = await workDir(t, `window-state-${under.name}`);
      const windows = windowsOn(under, dataDir);
      await windows.put(windowKey(meta('web-1', BASE)), 'web-1;main 1\n');
      const state = JSON.stringify({ cursor: BASE, settled: [windowKey(meta('web-1', BASE))] });
      await windows.writeState('sink-pyro.json', state);
      const namespaces: string[] = [];
      for await (const namespace of windows.namespaces()) namespaces.push(namespace);
      assert.deepEqual(namespaces, ['shop']);
      const hours: string[] = [];
      for await (const bucket of windows.hours()) hours.push(`${bucket.namespace}/${bucket.hour}`);
      assert.deepEqual(hours, ['shop/2026112010']);
      // A year later, with a 1 MiB limit: compaction, retention by age and by size all run.
      const removedBySize = new Counter({
        name: 'removed',
        help: 'x',
        labelNames: ['namespace'],
        registers: [new Registry()],
      });
      const settings = {
        frequency: 19,
        windowSeconds: 15,
        retentionHours: 1,
        maxBytesPerNamespace: 1024 * 1024,
      };
      await keepWindows({ windows, settings, metrics: { removedBySize } }, BASE + 365 * 24 * HOUR);
      const left: string[] = [];
      for await (const bucket of windows.hours()) left.push(bucket.hour);
      assert.deepEqual(left, [], 'the window is gone');
      assert.equal(await windows.readState('sink-pyro.json'), state, 'the state is kept');
      await assert.rejects(windows.writeState('../escape', 'x'), /state name/);
    });
  });
}
