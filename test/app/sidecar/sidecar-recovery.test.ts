import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import type { HttpRequest } from '../../../sidecar/server-link/http-client.ts';
import { writeJournal, type JournalRecord } from '../../../sidecar/recording/recording-journal.ts';
import { eventually } from '../../harness/eventually.ts';
import { finishedRecordingStatus, recordingStatus } from '../../harness/recording-status.ts';
import { sidecarFixture } from './sidecar-fixture.ts';

async function journal(dataDir: string, record: JournalRecord, files: string[] = []): Promise<string> {
  const dir = `${dataDir}/recordings/${record.status.id}`;
  await mkdir(dir, { recursive: true });
  for (const name of files) await writeFile(`${dir}/${name}`, `${name} of ${record.status.id}\n`);
  await writeJournal(dir, record);
  return dir;
}

function bodyOf(request: HttpRequest | undefined): string {
  const body = request?.body;
  return typeof body === 'string' || Buffer.isBuffer(body) ? body.toString() : '';
}

async function saved(dir: string): Promise<JournalRecord> {
  return JSON.parse(await readFile(`${dir}/recording.json`, 'utf8')) as JournalRecord;
}

describe('a restarted sidecar reads back what the previous run left', () => {
  it('sends what the catalog never took, fails with the reason what it cannot finish, and removes debris', async (t) => {
    const dataDir = await mkdtemp(`${tmpdir()}/furnace-recovery-`);
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const undelivered = finishedRecordingStatus('rec-a', {
      startedAt: '2026-03-01T12:00:00.000Z',
      artifacts: ['stacks.folded'],
      warnings: ['upload to the server failed: connect ECONNREFUSED 127.0.0.1:8081'],
    });
    const doneDir = await journal(dataDir, { status: undelivered, upload: 'pending' }, ['stacks.folded']);
    const older = recordingStatus('rec-b', { startedAt: '2026-03-01T12:01:00.000Z', profiler: 'perf' });
    const olderDir = await journal(dataDir, { status: older, upload: 'pending' });
    const bpf = recordingStatus('rec-c', { startedAt: '2026-03-01T12:02:00.000Z', profiler: 'bpftrace' });
    const bpfDir = await journal(dataDir, { status: bpf, upload: 'pending' });
    await mkdir(`${dataDir}/recordings/never-answered`, { recursive: true });

    const sidecar = await sidecarFixture({
      FURNACE_SIDECAR_DATA: dataDir,
      FURNACE_SERVER_URL: 'http://127.0.0.1:8081',
      FURNACE_REGISTRATION_SECRET: 'recovery-test',
    });
    t.after(() => sidecar.close());
    await sidecar.controller.recover();
    await sidecar.controller.settled();

    assert.equal(
      existsSync(`${dataDir}/recordings/never-answered`),
      false,
      'a directory no journal names goes',
    );
    const byId = new Map(sidecar.controller.list().map((s) => [s.id, s]));
    assert.deepEqual([...byId.keys()].sort(), ['rec-a', 'rec-b', 'rec-c']);

    // Pending uploads go on the recorder's timer, at once after a restart.
    const sentA = await eventually(
      async () => {
        const sent = sidecar.uploads.filter((u) => u.url.includes('/recordings/rec-a'));
        return sent.length >= 2 ? Promise.resolve(sent) : undefined;
      },
      5000,
      'the pending upload',
    );
    assert.deepEqual(
      sentA.map((u) => `${u.method} ${new URL(u.url).pathname}`),
      ['PUT /api/v1/recordings/rec-a', 'PUT /api/v1/recordings/rec-a/artifacts/stacks.folded'],
    );
    const metadata = JSON.parse(bodyOf(sentA[0])) as RecordingStatus;
    assert.equal(metadata.warnings, undefined, 'the old upload failure is not sent to the catalog');
    await sidecar.controller.close();
    assert.equal(sidecar.controller.get('rec-a').warnings, undefined, 'nor kept once it was delivered');
    assert.equal((await saved(doneDir)).upload, 'sent');

    for (const [id, dir, why] of [
      ['rec-b', olderDir, /while this recording was recording, and a newer recording had started/],
      [
        'rec-c',
        bpfDir,
        /while this recording was recording, and bpftrace left nothing on disk to finish from/,
      ],
    ] as const) {
      assert.equal(byId.get(id)?.state, 'failed');
      assert.match(byId.get(id)?.error ?? '', why);
      const sent = sidecar.uploads.find((u) => u.url.endsWith(`/recordings/${id}`));
      assert.equal(
        (JSON.parse(bodyOf(sent)) as RecordingStatus).state,
        'failed',
        `${id} is cataloged as failed`,
      );
      assert.equal((await saved(dir)).status.state, 'failed');
    }
  });
});
