// perf script's failure in words: when perf says addr2line failed it on a binary (its own lines, as perf
// 6.1 writes them), the error names the binary and what addr2line could not do.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addr2lineFailure,
  addr2lineWarning,
  scriptFailureMessage,
} from '../../../sidecar/profilers/perf/perf-script-failure.ts';

describe('perf script failure message', () => {
  it('names the binary addr2line could not read, and how it ended', () => {
    const stderr = 'addr2line /furnace-hot: could not read first record\n';
    assert.equal(
      scriptFailureMessage('killed by SIGPIPE', stderr),
      'perf script failed (killed by SIGPIPE); addr2line could not read /furnace-hot for its source lines ' +
        '(perf: could not read first record): addr2line /furnace-hot: could not read first record',
    );
  });

  it('reads the first of perf’s addr2line lines among others, and its start failure', () => {
    const stderr = [
      'Warning: some samples lost',
      'addr2line /root/.debug/.build-id/b3/b888/elf: could not send request',
      'addr2line /other: could not read first record',
    ].join('\n');
    assert.deepEqual(addr2lineFailure(stderr), {
      binary: '/root/.debug/.build-id/b3/b888/elf',
      what: 'could not send request',
    });
    assert.deepEqual(
      addr2lineFailure('could not start addr2line for /app/bin: start_command return code -1'),
      {
        binary: '/app/bin',
        what: 'start_command return code -1',
      },
    );
  });

  it('says only how it ended, and the stderr, when addr2line is not named', () => {
    assert.equal(
      scriptFailureMessage('exit 255', 'failed to open perf.data: No such file or directory'),
      'perf script failed (exit 255): failed to open perf.data: No such file or directory',
    );
    assert.equal(addr2lineFailure('addr2line is fine here'), null);
  });

  it('warns of a perf script that ended well without a binary’s lines, naming it', () => {
    assert.equal(
      addr2lineWarning('addr2line /furnace-hot: could not send request\n'),
      'addr2line could not read /furnace-hot (perf: could not send request): its frames are named by symbol, ' +
        'without source lines or inline functions',
    );
    assert.equal(addr2lineWarning(''), null);
  });
});
