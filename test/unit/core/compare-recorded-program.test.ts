// What a local-mode recording recorded, as its baseline key and in words (core/compare/recorded-program.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeBaselineKey, recordedProgramOf } from '../../../core/compare/recorded-program.ts';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { perfParams } from '../../harness/recording-status.ts';

const of = (params: Partial<CatalogEntry['params']>, comms: string[] = []) =>
  recordedProgramOf({
    params: perfParams(10, params),
    targets: comms.map((comm, i) => ({ pid: 100 + i, comm })),
  });

describe('the program a local recording recorded', () => {
  it('is its process pattern, whatever it matched', () => {
    assert.deepEqual(of({ processPattern: 'java.*Main' }, ['java', 'java']), {
      key: 'pattern/java.*Main',
      label: 'processes matching /java.*Main/',
    });
  });

  it('started by PID, is the command of the process, each command once and sorted', () => {
    assert.deepEqual(of({ pid: 4101 }, ['furnace-hot']), {
      key: 'command/furnace-hot',
      label: 'the command furnace-hot',
    });
    assert.equal(of({ pid: 4101 }, ['worker', 'app', 'worker'])?.key, 'command/app,worker');
  });

  it('is the whole machine for a system-wide recording, and nothing when the entry names no process', () => {
    assert.deepEqual(of({ systemWide: true }, ['a', 'b']), { key: 'system/all', label: 'the whole machine' });
    assert.equal(of({}, []), undefined);
  });

  it('says a pinned key in words: a local one as the page offered it, a workload as it is', () => {
    assert.equal(describeBaselineKey('pattern/furnace-hot'), 'processes matching /furnace-hot/');
    assert.equal(describeBaselineKey('pattern/a/b'), 'processes matching /a/b/', 'a slash in the pattern');
    assert.equal(describeBaselineKey('command/furnace-hot'), 'the command furnace-hot');
    assert.equal(describeBaselineKey('deployment/web'), 'deployment/web');
  });
});
