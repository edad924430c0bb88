// Start parameters `profiler` and `bpftrace`: one field table, rules between the two, the program checked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import { MAX_BPFTRACE_PROGRAM, validateRecordingParams } from '../../../core/contract/recording-params.ts';
import { paramsRejection as rejection } from '../../harness/params-rejection.ts';

const PROGRAM = 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }';

describe('start parameters profiler and bpftrace', () => {
  it('defaults to perf and takes a bpftrace program with profiler bpftrace', () => {
    assert.equal(validateRecordingParams({}, DEFAULT_LIMITS).profiler, 'perf');
    const params = validateRecordingParams(
      { profiler: 'bpftrace', bpftrace: { program: PROGRAM } },
      DEFAULT_LIMITS,
    );
    assert.deepEqual(params.bpftrace, { program: PROGRAM });
  });

  it('refuses a program without profiler bpftrace, and profiler bpftrace without a program', () => {
    const alone = rejection({ bpftrace: { program: PROGRAM } });
    assert.equal(alone.details.field, 'bpftrace');
    assert.match(alone.message, /only used with profiler bpftrace, not perf/);
    const missing = rejection({ profiler: 'bpftrace' });
    assert.equal(missing.details.field, 'bpftrace.program');
    assert.match(missing.message, /bpftrace\.program is required with profiler bpftrace/);
    const empty = rejection({ profiler: 'bpftrace', bpftrace: {} });
    assert.equal(empty.details.field, 'bpftrace.program');
    assert.match(empty.message, /^bpftrace\.program is required$/);
  });

  it('names the field and the limit for a program that is too long, without echoing it', () => {
    const program = `BEGIN { printf("${'x'.repeat(MAX_BPFTRACE_PROGRAM)}"); }`;
    const error = rejection({ profiler: 'bpftrace', bpftrace: { program } });
    assert.equal(error.code, 'ERR_INVALID_PARAMETER');
    assert.equal(error.details.field, 'bpftrace.program');
    assert.match(error.message, /bpftrace\.program has 16\d{3} characters: must be at most 16384 characters/);
    assert.ok(error.message.length < 200, 'the program is not repeated in the message');
  });

  it('refuses unknown and malformed bpftrace fields, and whole-node bpftrace', () => {
    assert.match(
      rejection({ profiler: 'bpftrace', bpftrace: { program: PROGRAM, pid: 1 } }).message,
      /bpftrace\.pid is not a known parameter/,
    );
    assert.equal(rejection({ profiler: 'bpftrace', bpftrace: 'BEGIN {}' }).details.field, 'bpftrace');
    assert.equal(
      rejection({ profiler: 'bpftrace', bpftrace: { program: '' } }).details.field,
      'bpftrace.program',
    );
    assert.equal(rejection({ profiler: 'dtrace' }).details.field, 'profiler');
    const node = rejection({ profiler: 'bpftrace', bpftrace: { program: PROGRAM }, systemWide: true });
    assert.equal(node.details.field, 'systemWide');
  });

  it('refuses a program the scoper cannot scope before anything runs', () => {
    const error = rejection({
      profiler: 'bpftrace',
      bpftrace: { program: 'kprobe:vfs_read { system("id"); }' },
    });
    assert.equal(error.details.field, 'bpftrace.program');
    assert.match(error.message, /system\(\) runs commands/);
  });
});
