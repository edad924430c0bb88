import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { portOf } from '../../harness/ports.ts';
import { finishedRecordingStatus } from '../../harness/recording-status.ts';
import { putStatus } from '../../harness/server-calls.ts';
import { buildFixture } from './server-fixture.ts';

describe('server shutdown', () => {
  it('finishes an artifact upload in flight before closing', async (t) => {
    const f = await buildFixture(t);
    const { uploadToken: token } = await f.registerLocal(4000);
    await putStatus(f.recorder, token, finishedRecordingStatus('rec-1'));
    await f.recorder.listen({ host: '127.0.0.1', port: 0 });
    const port = portOf(f.recorder.server);
    const upload = request({
      host: '127.0.0.1',
      port,
      method: 'PUT',
      path: '/api/v1/recordings/rec-1/artifacts/stacks.folded',
      headers: { authorization: `Bearer ${token}`, 'content-length': 23 },
    });
    const answered = new Promise<number>((resolve, reject) => {
      upload.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      upload.on('error', reject);
    });
    upload.write('main;alpha 10\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = f.recorder.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    upload.end('main;b 1\n');
    assert.equal(await answered, 201);
    await closed;
    assert.deepEqual(f.catalog.get('rec-1')?.artifacts, [{ name: 'stacks.folded', bytes: 23 }]);
  });
});
