// How perf walked a recording's stacks travels from the recorder's status into the catalog: the entry
// says the call graph used and why (read and listed, and again after a reload); a call graph the contract
// does not know is refused at the upload.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { openCatalog } from '../../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../../server/catalog/retention.ts';
import { finishedRecordingStatus } from '../../harness/recording-status.ts';
import { buildFixture, startFakeSidecar } from './server-fixture.ts';

const CHOSEN = { callGraphUsed: 'dwarf', callGraphReason: 'nginx has no frame pointers' } as const;

describe('catalog: the call graph a recording used', () => {
  it('keeps callGraphUsed and callGraphReason as the recorder said them, across a reload', async (t) => {
    const f = await buildFixture(t);
    const sidecar = await startFakeSidecar(t);
    const { uploadToken } = await f.registerLocal(sidecar.port);
    const upload = (id: string, extra: object) =>
      f.recorder.inject({
        method: 'PUT',
        url: `/api/v1/recordings/${id}`,
        headers: { authorization: `Bearer ${uploadToken}` },
        payload: { ...finishedRecordingStatus(id), ...extra },
      });
    const stored = await upload('rec-auto', CHOSEN);
    assert.equal(stored.statusCode, 200, stored.body);

    const read = await f.app.inject({ method: 'GET', url: '/api/v1/recordings/rec-auto' });
    assert.deepEqual(
      (({ callGraphUsed, callGraphReason }: CatalogEntry) => ({ callGraphUsed, callGraphReason }))(
        read.json<CatalogEntry>(),
      ),
      CHOSEN,
    );
    const list = await f.app.inject({ method: 'GET', url: '/api/v1/recordings' });
    assert.equal(list.json<{ items: CatalogEntry[] }>().items[0]?.callGraphReason, CHOSEN.callGraphReason);

    await f.catalog.drain();
    const reopened = await openCatalog({
      dataDir: f.dataDir,
      artifacts: f.artifacts,
      now: Date.now,
      retention: DEFAULT_RETENTION,
    });
    assert.equal(reopened.get('rec-auto')?.callGraphUsed, 'dwarf', 'kept in recording.json');

    const refused = await upload('rec-lbr', { callGraphUsed: 'lbr' });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match(refused.body, /callGraphUsed/);
  });
});
