// A done recording's files reach the catalog after its final status (the recorder PUTs the status first, and
// after a server restart sends the rest with backoff): until they are in, the entry names them as arriving,
// also in a catalog opened again on the same directory (a restarted server), and a download of one says so.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { openCatalog } from '../../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../../server/catalog/retention.ts';
import { recordingStatus } from '../../harness/recording-status.ts';
import { buildFixture } from './server-fixture.ts';

const FILES = ['stacks.folded', 'flamegraph.svg'] as const;

describe('catalog entries whose files are still arriving', () => {
  it('names the files not in yet, across a server restart, until the last one is in', async (t) => {
    const f = await buildFixture(t);
    const { uploadToken } = await f.registerLocal(4000);
    const headers = { authorization: `Bearer ${uploadToken}` };
    const status = recordingStatus('rec-1', {
      state: 'done',
      progress: 1,
      endedAt: '2026-03-01T12:00:05Z',
      artifacts: [...FILES],
    });
    const put = await f.recorder.inject({
      method: 'PUT',
      url: '/api/v1/recordings/rec-1',
      headers,
      payload: status,
    });
    assert.equal(put.statusCode, 200, put.body);
    const listed = async (): Promise<CatalogEntry | undefined> =>
      (await f.app.inject({ method: 'GET', url: '/api/v1/recordings' }))
        .json<{ items: CatalogEntry[] }>()
        .items.find((e) => e.id === 'rec-1');
    assert.deepEqual((await listed())?.arriving, [...FILES], 'listed with both files on their way');
    const first = await f.recorder.inject({
      method: 'PUT',
      url: '/api/v1/recordings/rec-1/artifacts/stacks.folded',
      headers: { ...headers, 'content-type': 'text/plain' },
      payload: 'main;furnace_heavy 3\n',
    });
    assert.equal(first.statusCode, 201, first.body);
    assert.deepEqual((await listed())?.arriving, ['flamegraph.svg']);
    const early = await f.app.inject({
      method: 'GET',
      url: '/api/v1/recordings/rec-1/artifacts/flamegraph.svg',
    });
    assert.equal(early.statusCode, 404);
    assert.match(early.json<{ message: string }>().message, /still arriving/);

    // The server restarts: the catalog is read back from its directory.
    const reopened = await openCatalog({
      dataDir: f.dataDir,
      artifacts: f.artifacts,
      now: () => Date.parse('2026-03-01T12:01:00Z'),
      retention: DEFAULT_RETENTION,
    });
    assert.equal(reopened.get('rec-1')?.state, 'done');
    assert.deepEqual(reopened.get('rec-1')?.arriving, ['flamegraph.svg'], 'still arriving after the restart');
    await reopened.putArtifact('rec-1', 'flamegraph.svg', Readable.from([Buffer.from('<svg/>')]), {
      owner: { namespace: 'local', pod: 'test-host' },
      maxBytes: 1024,
    });
    const whole = reopened.get('rec-1');
    assert.equal(whole?.arriving, undefined, 'nothing left to arrive');
    assert.deepEqual(whole?.artifacts.map((a) => a.name).sort(), [...FILES].sort());
  });

  it('lists nothing as arriving once the recorder says which files the catalog refused', async (t) => {
    const f = await buildFixture(t);
    const { uploadToken } = await f.registerLocal(4000);
    const headers = { authorization: `Bearer ${uploadToken}` };
    const done = { state: 'done' as const, progress: 1, endedAt: '2026-03-01T12:00:05Z' };
    const put = (artifacts: string[], warnings?: string[]) =>
      f.recorder.inject({
        method: 'PUT',
        url: '/api/v1/recordings/rec-2',
        headers,
        payload: recordingStatus('rec-2', {
          ...done,
          artifacts: artifacts as never,
          ...(warnings ? { warnings } : {}),
        }),
      });
    assert.equal((await put(['perf.data'])).statusCode, 200);
    assert.deepEqual(f.catalog.get('rec-2')?.arriving, ['perf.data']);
    // The upload's last status: perf.data was over the limit and is not among its files any more.
    assert.equal((await put([], ['perf.data was not uploaded: over the limit'])).statusCode, 200);
    assert.equal(f.catalog.get('rec-2')?.arriving, undefined);
  });
});
