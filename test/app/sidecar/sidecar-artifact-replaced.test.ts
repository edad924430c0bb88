// The recorder's artifact answer while the file is replaced under its name (a recording symbolized again
// renames its new graphs onto the old ones): the length it announces is that of the bytes it sends, so a
// download neither waits for bytes that never come nor takes a short file for a whole one. The real sidecar
// app and recording controller (perf is the fixture's fake).
import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { eventually } from '../../harness/eventually.ts';
import { auth, sidecarFixture } from './sidecar-fixture.ts';

describe('an artifact replaced while it is read', () => {
  it('is answered with the length of the bytes sent, whichever version they are', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const { id } = (await fixture.start({ pid: 200, durationSeconds: 60 })).json<RecordingStatus>();
    fixture.controller.stop(id);
    await eventually(
      async () => ((await fixture.read(id)).state === 'done' ? true : undefined),
      10_000,
      'done',
    );
    const path = fixture.controller.artifactPath(id, 'stacks.folded');
    const versions = ['main;a 1\n', 'main;b 2\n'.repeat(5000)];
    let replacing = true;
    const replaced = (async () => {
      for (let i = 0; replacing; i++) {
        await writeFile(`${path}.next`, versions[i % 2] ?? '');
        await rename(`${path}.next`, path);
      }
    })();
    const mismatches: string[] = [];
    for (let i = 0; i < 300; i++) {
      const answer = await fixture.app.inject({
        url: `/recordings/${id}/artifacts/stacks.folded`,
        headers: auth,
      });
      assert.equal(answer.statusCode, 200);
      const announced = Number(answer.headers['content-length']);
      if (announced !== answer.rawPayload.length)
        mismatches.push(`${announced} announced, ${answer.rawPayload.length} sent`);
    }
    replacing = false;
    await replaced;
    assert.deepEqual(mismatches, []);
  });
});
