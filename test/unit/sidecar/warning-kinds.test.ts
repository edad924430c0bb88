// A recording's warnings by kind (sidecar/recording/warning-kinds.ts): a `warnings` event replaces what its
// kind wrote and nothing else, in the recorder's state and in what a journal gives back.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import { validateRecordingParams } from '../../../core/contract/recording-params.ts';
import type { RecordingEvent } from '../../../sidecar/recording-events.ts';
import { beginRecording } from '../../../sidecar/recording/recording-machine.ts';
import { readJournals, writeJournal } from '../../../sidecar/recording/recording-journal.ts';
import { tempDir } from '../../harness/temp-dirs.ts';
import {
  applyRecorderEvent,
  readWarningKinds,
  type RecorderState,
} from '../../../sidecar/recording/warning-kinds.ts';

const params = validateRecordingParams({ durationSeconds: 10, pid: 42 }, DEFAULT_LIMITS);
const fresh = (): RecorderState => ({
  status: beginRecording({
    id: 'r1',
    params,
    targets: [{ pid: 42, comm: 'app' }],
    now: new Date('2026-01-01T00:00:00Z'),
  }),
  kinds: {},
});
const run = (events: RecordingEvent[], state = fresh()): RecorderState =>
  events.reduce(applyRecorderEvent, state);

describe('warnings by kind', () => {
  it('replaces the warnings a kind wrote and keeps every other one, in the order they came', () => {
    const state = run([
      { type: 'warning', message: 'perf.data reached its size cap' },
      { type: 'warning', kind: 'symbols', message: 'no debug file for stripped /app' },
      { type: 'warnings', kind: 'diagnosis', messages: ['100 % of the samples are in app: stripped'] },
      { type: 'warning', message: 'the recorder shut down after 5 s' },
    ]);
    assert.deepEqual(state.kinds, {
      symbols: ['no debug file for stripped /app'],
      diagnosis: ['100 % of the samples are in app: stripped'],
    });
    const after = run(
      [
        { type: 'warnings', kind: 'diagnosis', messages: [] },
        { type: 'warnings', kind: 'symbols', messages: ['symbolized again at 2026-01-01T00:01:00.000Z'] },
      ],
      state,
    );
    assert.deepEqual(after.status.warnings, [
      'perf.data reached its size cap',
      'the recorder shut down after 5 s',
      'symbolized again at 2026-01-01T00:01:00.000Z',
    ]);
    assert.deepEqual(after.kinds, { symbols: ['symbolized again at 2026-01-01T00:01:00.000Z'] });
  });

  it('leaves a warning with the same words but no kind, and drops the list once it is empty', () => {
    const state = run([
      { type: 'warning', message: 'same words' },
      { type: 'warning', kind: 'symbols', message: 'same words' },
    ]);
    const after = run([{ type: 'warnings', kind: 'symbols', messages: [] }], state);
    assert.deepEqual(after.status.warnings, ['same words']);
    const empty = run([{ type: 'warnings', kind: 'symbols', messages: [] }], after);
    assert.deepEqual(empty.status.warnings, ['same words'], 'nothing of the kind is left to remove');
    const none = run([
      { type: 'warning', kind: 'diagnosis', message: 'only' },
      { type: 'warnings', kind: 'diagnosis', messages: [] },
    ]);
    assert.equal(none.status.warnings, undefined);
  });

  it('comes back with its journal, so a restarted recorder still knows which warnings a kind wrote', async (t) => {
    const dir = await tempDir(t, 'furnace-warning-kinds-');
    const { status, kinds } = run([
      { type: 'warning', kind: 'symbols', message: 'no debug file for stripped /app' },
    ]);
    await mkdir(`${dir}/r1`);
    await writeJournal(`${dir}/r1`, { status, upload: 'sent', warningKinds: kinds });
    const [record] = (await readJournals(dir)).records;
    assert.deepEqual(record?.warningKinds, { symbols: ['no debug file for stripped /app'] });
  });

  it('reads back from a journal only known kinds with lists of strings', () => {
    assert.deepEqual(readWarningKinds({ symbols: ['a'], diagnosis: 'b', other: ['c'] }), { symbols: ['a'] });
    assert.deepEqual(readWarningKinds(null), {});
    assert.deepEqual(readWarningKinds({ diagnosis: [1] }), {});
  });
});
