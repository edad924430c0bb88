// A finished recording put into the fixture's catalog as a sidecar puts it there: its pod registered, its
// status, then its stacks.folded uploaded through the recorder listener.
import assert from 'node:assert/strict';
import { finishedRecordingStatus } from '../../harness/recording-status.ts';
import { bearer, putStatus } from '../../harness/server-calls.ts';
import { registerSidecar } from './fixture-sidecars.ts';
import type { Fixture } from './server-fixture.ts';

export interface CatalogedRecording {
  namespace: string;
  pod: string;
  id: string;
  /** Minutes after 11:00 UTC of the fixture's day: before its clock's 12:00, as an upload must be. */
  minute: number;
  /** Its stacks, as the sidecar folds them (counts are samples). */
  folded: string;
}

export async function catalogFolded(f: Fixture, recording: CatalogedRecording): Promise<void> {
  const { uploadToken } = registerSidecar(f, recording.namespace, recording.pod, 1);
  const at = (second: number): string =>
    new Date(Date.UTC(2026, 2, 1, 11, recording.minute, second)).toISOString();
  const status = finishedRecordingStatus(recording.id, {
    startedAt: at(0),
    endedAt: at(10),
    artifacts: ['stacks.folded'],
  });
  assert.equal((await putStatus(f.recorder, uploadToken, status)).statusCode, 200);
  const upload = await f.recorder.inject({
    method: 'PUT',
    url: `/api/v1/recordings/${recording.id}/artifacts/stacks.folded`,
    headers: { ...bearer(uploadToken), 'content-type': 'text/plain' },
    payload: recording.folded,
  });
  assert.equal(upload.statusCode, 201, upload.body);
}
