// A merged flame graph costs seconds of CPU per 16 MiB of folded stacks: any viewer asking again for
// the same merge, or for many different ones at once, made the server do it all again. The same set is
// merged once until one of its recordings changes, and merges past a small queue are refused with
// 503 and Retry-After.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { finishedRecordingStatus } from '../../harness/recording-status.ts';
import { buildFixture, registerSidecar, type Fixture } from './server-fixture.ts';
import { bearer, putStatus } from '../../harness/server-calls.ts';

async function record(f: Fixture, id: string, folded: string): Promise<void> {
  const { uploadToken } = registerSidecar(f, 'team-a', `pod-${id}`, 1);
  assert.equal((await putStatus(f.recorder, uploadToken, finishedRecordingStatus(id))).statusCode, 200);
  const upload = await f.recorder.inject({
    method: 'PUT',
    url: `/api/v1/recordings/${id}/artifacts/stacks.folded`,
    headers: { ...bearer(uploadToken), 'content-type': 'text/plain' },
    payload: folded,
  });
  assert.equal(upload.statusCode, 201, upload.body);
}

const merged = (f: Fixture, ids: string[], name = 'stacks.folded') =>
  f.app.inject({
    method: 'GET',
    url: `/api/v1/recordings/merged/artifacts/${name}?${ids.map((id) => `id=${id}`).join('&')}`,
  });

describe('the cost of merged flame graphs', () => {
  it('merges a set of recordings once for every viewer, and again once one of them changes', async (t) => {
    const f = await buildFixture(t);
    await record(f, 'rec-1', 'main;a 1\n');
    await record(f, 'rec-2', 'main;b 2\n');
    const first = await merged(f, ['rec-1', 'rec-2']);
    assert.equal(first.body, 'main;a 1\nmain;b 2\n');
    // The file changes behind the catalog's back: a merge read again would show it.
    await writeFile(join(f.dataDir, 'recordings', 'rec-1', 'stacks.folded'), 'main;read-again 1\n');
    for (let viewer = 0; viewer < 5; viewer++)
      assert.equal((await merged(f, ['rec-2', 'rec-1'])).body, first.body, 'served without merging again');

    await record(f, 'rec-1', 'main;c 3\n');
    assert.equal(
      (await merged(f, ['rec-1', 'rec-2'])).body,
      'main;b 2\nmain;c 3\n',
      'new stacks: merged again',
    );
    assert.equal((await f.app.inject({ method: 'DELETE', url: '/api/v1/recordings/rec-2' })).statusCode, 204);
    await record(f, 'rec-2', 'main;d 4\n');
    assert.equal((await merged(f, ['rec-1', 'rec-2'])).body, 'main;c 3\nmain;d 4\n', 'deleted: merged again');
  });

  it('refuses merges past the queue with 503 and Retry-After, saying why', async (t) => {
    const f = await buildFixture(t, { merge: { maxConcurrent: 1, maxQueued: 1, cacheBytes: 0 } });
    const ids = Array.from({ length: 8 }, (_, i) => `rec-${i}`);
    const stacks = Array.from({ length: 20_000 }, (_, i) => `main;f${i} 1`).join('\n');
    for (const id of ids) await record(f, id, stacks);
    const answers = await Promise.all(ids.map((id) => merged(f, [id], 'flamegraph.svg')));
    const refused = answers.filter((answer) => answer.statusCode === 503);
    assert.ok(refused.length >= ids.length - 3, answers.map((a) => a.statusCode).join());
    assert.ok(answers.every((answer) => [200, 503].includes(answer.statusCode)));
    const [one] = refused;
    assert.equal(one?.headers['retry-after'], '5');
    assert.match(
      one?.json<{ message: string }>().message ?? '',
      /merge\.maxConcurrent \(1\) and merge\.maxQueued \(1\)/,
    );
    assert.equal(
      (await merged(f, [ids[7] ?? ''], 'flamegraph.svg')).statusCode,
      200,
      'a later retry is merged',
    );
  });
});
