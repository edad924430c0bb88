// The sidecar's upload against a fake catalog that refuses some files (413 too large, 507 full): the
// essential files go first, a refused file is skipped and the rest still go, and a final status PUT
// carries the warnings that say what was not kept.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import type { ArtifactName } from '../../../core/contract/names.ts';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { uploadRecording } from '../../../sidecar/recording/upload.ts';
import type { HttpRequest } from '../../../sidecar/server-link/http-client.ts';
import { finishedRecordingStatus } from '../../harness/recording-status.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

const FILES: Record<string, number> = {
  'perf.script': 300_000,
  'perf.data': 77_594_624,
  'stacks.folded': 2_000,
  'flamegraph.svg': 20_000,
  'speedscope.json': 9_000,
  'flame-tree.bin.gz': 1_500,
};

/** A fake catalog: perf.data over an 8 KB maxArtifactBytes (413), speedscope.json past the catalog's room (507). */
function fakeCatalog() {
  const requests: { method: string; path: string; body?: string }[] = [];
  const send = (request: HttpRequest) => {
    const path = new URL(request.url).pathname;
    requests.push({
      method: request.method,
      path,
      ...(typeof request.body === 'string' ? { body: request.body } : {}),
    });
    if (typeof request.body === 'object' && 'resume' in request.body) request.body.resume();
    if (path.endsWith('/perf.data') || path.endsWith('/perf.script'))
      return Promise.resolve({
        status: 413,
        body: JSON.stringify({
          code: 'ERR_PAYLOAD_TOO_LARGE',
          message: 'artifact of many bytes is larger than the limit of 8192 bytes (maxArtifactBytes)',
          details: { field: 'maxArtifactBytes', limit: 8192 },
        }),
      });
    if (path.endsWith('/speedscope.json'))
      return Promise.resolve({
        status: 507,
        body: JSON.stringify({
          code: 'ERR_QUOTA_EXCEEDED',
          message:
            'the catalog holds 1000 bytes with the uploads in flight, the most retention.maxBytes (1000) allows',
          details: { field: 'retention.maxBytes', limit: 1000 },
        }),
      });
    return Promise.resolve({ status: 200, body: '{}' });
  };
  return { requests, send };
}

describe('upload to a fake catalog that refuses some files', () => {
  it('sends the essential files first, skips refused ones, and PUTs the warnings last', async (t) => {
    const dir = await tempDir(t, 'furnace-upload-');
    for (const [name, bytes] of Object.entries(FILES)) await writeFile(`${dir}/${name}`, Buffer.alloc(bytes));
    const status: RecordingStatus = {
      ...finishedRecordingStatus('rec-1'),
      artifacts: Object.keys(FILES) as ArtifactName[],
      warnings: ['an earlier warning'],
    };
    const catalog = fakeCatalog();
    const result = await uploadRecording(
      { send: catalog.send, sleep: () => Promise.resolve(), random: () => 0.5, token: () => 'upload-token' },
      {
        serverUrl: 'http://catalog.invalid',
        metadata: status,
        dir,
        artifacts: status.artifacts,
        maxArtifactBytes: 512 * 1024 * 1024,
      },
      () => {},
    );
    const sent = catalog.requests.map((r) => r.path.replace('/api/v1/recordings/rec-1', '') || '(status)');
    assert.deepEqual(sent, [
      '(status)',
      '/artifacts/flame-tree.bin.gz',
      '/artifacts/stacks.folded',
      '/artifacts/flamegraph.svg',
      '/artifacts/speedscope.json',
      '/artifacts/perf.data',
      '/artifacts/perf.script',
      '(status)',
    ]);
    assert.deepEqual(result.uploaded, ['flame-tree.bin.gz', 'stacks.folded', 'flamegraph.svg']);
    const expected = [
      'speedscope.json was not kept (8.8 KB): the catalog is full: the catalog holds 1000 bytes with the uploads in flight, the most retention.maxBytes (1000) allows',
      'perf.data was not kept: 74 MB over the 8 KB limit (maxArtifactBytes)',
      'perf.script was not kept: 293 KB over the 8 KB limit (maxArtifactBytes)',
    ];
    assert.deepEqual(result.skipped, expected);
    const last = JSON.parse(catalog.requests.at(-1)?.body ?? '{}') as RecordingStatus;
    assert.equal(last.state, 'done');
    assert.deepEqual(last.warnings, ['an earlier warning', ...expected]);
  });

  it('skips a file over the limit the server told at registration without sending it', async (t) => {
    const dir = await tempDir(t, 'furnace-upload-');
    for (const [name, bytes] of Object.entries(FILES)) await writeFile(`${dir}/${name}`, Buffer.alloc(bytes));
    const status: RecordingStatus = {
      ...finishedRecordingStatus('rec-2'),
      artifacts: ['perf.data', 'stacks.folded'],
    };
    const catalog = fakeCatalog();
    const result = await uploadRecording(
      { send: catalog.send, sleep: () => Promise.resolve(), random: () => 0.5, token: () => 'upload-token' },
      {
        serverUrl: 'http://catalog.invalid',
        metadata: status,
        dir,
        artifacts: status.artifacts,
        maxArtifactBytes: 8192,
      },
      () => {},
    );
    assert.ok(!catalog.requests.some((r) => r.path.endsWith('/perf.data')), 'perf.data was never sent');
    assert.deepEqual(result.skipped, [
      'perf.data was not kept: 74 MB over the 8 KB limit (maxArtifactBytes)',
    ]);
    assert.deepEqual(result.uploaded, ['stacks.folded']);
  });
});
