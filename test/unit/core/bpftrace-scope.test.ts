// The bpftrace scoper: every task probe ends up behind the recorder's filter, whatever the user writes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { parseBpftraceProgram } from '../../../core/bpftrace/program.ts';
import { scopeBpftraceProgram, scopeFilter, type BpftraceScope } from '../../../core/bpftrace/scope.ts';

const SCOPE: BpftraceScope = { pidNamespaces: [4026532183], pids: [] };
const FILTER = 'curtask->nsproxy->pid_ns_for_children->ns.inum == 4026532183';
/** The filter as the printed program's tokens read back. */
const FILTER_TOKENS = 'curtask -> nsproxy -> pid_ns_for_children -> ns . inum == 4026532183';

function refusal(program: string): FurnaceError {
  try {
    scopeBpftraceProgram(program, SCOPE);
  } catch (error) {
    assert.ok(error instanceof FurnaceError, String(error));
    assert.equal(error.code, 'ERR_INVALID_PARAMETER');
    assert.equal(error.details.field, 'bpftrace.program');
    return error;
  }
  assert.fail(`expected the program to be refused:\n${program}`);
}

/** Each probe of the printed program as this parser reads it back: attach points and predicate text. */
function probesOf(printed: string): { attach: string; predicate: string | undefined; body: string }[] {
  return parseBpftraceProgram(printed).probes.map((p) => ({
    attach: p.attachPoints.map((a) => a.text).join(','),
    predicate: p.predicate?.map((t) => t.text).join(' '),
    body: p.body.map((t) => t.text).join(' '),
  }));
}

describe('scopeBpftraceProgram', () => {
  it('puts the filter in front of a predicate whose || would escape a naive wrap', () => {
    const printed = scopeBpftraceProgram(
      'tracepoint:raw_syscalls:sys_enter /pid == 1 || 1/ { @[comm] = count(); }',
      SCOPE,
    );
    assert.deepEqual(probesOf(printed), [
      {
        attach: 'tracepoint:raw_syscalls:sys_enter',
        predicate: `( ${FILTER_TOKENS} ) && ( pid == 1 || 1 )`,
        body: '@ [ comm ] = count ( ) ;',
      },
    ]);
  });

  it('adds the filter to probes without a predicate, to every probe of a shared block, and to wildcards', () => {
    const printed = scopeBpftraceProgram(
      'profile:hz:99 { @[ustack] = count(); }\nkprobe:vfs_*,tracepoint:syscalls:sys_enter_openat { @x = count(); }',
      SCOPE,
    );
    const probes = probesOf(printed);
    assert.equal(probes.length, 2);
    for (const probe of probes) assert.equal(probe.predicate, `( ${FILTER_TOKENS} )`);
    assert.equal(probes[1]?.attach, 'kprobe:vfs_*,tracepoint:syscalls:sys_enter_openat');
  });

  it('refuses a predicate that tries to close the wrapping parenthesis', () => {
    assert.match(refusal('kprobe:vfs_read /1) || (1/ { }').message, /\) does not close anything/);
    assert.match(refusal('kprobe:vfs_read /(1/ { }').message, /leaves \( open/);
  });

  it('keeps braces, slashes and quotes inside strings and drops comments, which cannot end a block', () => {
    const program = [
      '/* } kprobe:x { */',
      'kprobe:vfs_read { printf("} BEGIN { \\" / { %s\\n", comm); } // }',
      '// } tracepoint:a:b {',
    ].join('\n');
    const probes = probesOf(scopeBpftraceProgram(program, SCOPE));
    assert.equal(probes.length, 1);
    assert.equal(probes[0]?.body, 'printf ( "} BEGIN { \\" / { %s\\n" , comm ) ;');
    assert.equal(probes[0]?.predicate, `( ${FILTER_TOKENS} )`);
  });

  it('filters BEGIN or interval when they share a block with a task probe', () => {
    const probes = probesOf(
      scopeBpftraceProgram('BEGIN, interval:s:1, kprobe:vfs_read { @[comm] = count(); }', SCOPE),
    );
    assert.equal(probes[0]?.predicate, `( ${FILTER_TOKENS} )`);
  });

  it('leaves BEGIN and END alone and lets interval print, clear and exit', () => {
    const program =
      'BEGIN { printf("go\\n"); } interval:s:1 /elapsed > 5/ { print(@); clear(@); exit(); } END { clear(@); }';
    const probes = probesOf(scopeBpftraceProgram(program, SCOPE));
    assert.deepEqual(
      probes.map((p) => [p.attach, p.predicate]),
      [
        ['BEGIN', undefined],
        ['interval:s:1', 'elapsed > 5'],
        ['END', undefined],
      ],
    );
  });

  it('refuses interval probes that look at the task they interrupt', () => {
    for (const body of [
      '@[comm] = count();',
      '@[kstack] = count();',
      'printf("%d", pid);',
      '@ = *kaddr("jiffies");',
    ])
      assert.match(refusal(`interval:ms:1 { ${body} }`).message, /interval probes may not use/);
    assert.match(refusal('interval:ms:1 /pid == 1/ { exit(); }').message, /may not use pid/);
  });

  it('refuses probes that cannot be scoped to a pod, and probes it does not know', () => {
    assert.match(refusal('iter:task { printf("%s", ctx->task->comm); }').message, /walk every task/);
    assert.match(refusal('watchpoint:0x1000:8:w { }').message, /watchpoints/);
    assert.match(refusal('config { }').message, /not understood/);
    assert.match(refusal('fentry2:vfs_read { }').message, /not understood/);
    assert.match(refusal('uprobe:/bin//sh:main { }').message, /not understood/);
    assert.match(refusal('kprobe:vfs_read/pid == 1/{ }').message, /not understood/);
  });

  it('refuses the preprocessor, struct definitions and inline struct bodies', () => {
    assert.match(refusal('#include <linux/sched.h>\nkprobe:vfs_read { }').message, /preprocessor/);
    assert.match(refusal('kprobe:vfs_read {\n#define X 1) || (1\n}').message, /line 2.*preprocessor/);
    assert.match(refusal('struct foo { int a; }\nkprobe:vfs_read { }').message, /not understood/);
    assert.match(
      refusal('kprobe:vfs_read { $x = (struct { int a; } *)0; }').message,
      /struct may only name a type/,
    );
    const cast = scopeBpftraceProgram(
      'kprobe:vfs_read { $t = (struct task_struct *)curtask; @[$t->pid] = count(); }',
      SCOPE,
    );
    assert.match(cast, /\( struct task_struct \* \) curtask/);
  });

  it('refuses system(), signal(), override() and cat(), but not fields that share their names', () => {
    assert.match(refusal('kprobe:vfs_read { system("id"); }').message, /system\(\) runs commands/);
    assert.match(refusal('kprobe:vfs_read { signal(9); }').message, /signal\(\)/);
    assert.match(refusal('kprobe:vfs_read { override(0); }').message, /override\(\)/);
    assert.match(
      refusal('kprobe:vfs_read { cat("/var/run/secrets/furnace/token"); }').message,
      /cat\(\) reads/,
    );
    scopeBpftraceProgram('kprobe:vfs_read { @ = curtask->signal; }', SCOPE);
  });

  it('refuses what it cannot read: open strings, comments and blocks, braces in predicates, odd characters', () => {
    assert.match(refusal('kprobe:vfs_read { printf("open); }').message, /never closed/);
    assert.match(refusal('kprobe:vfs_read { /* }').message, /never closed/);
    assert.match(refusal('kprobe:vfs_read { if (1) { }').message, /never closed/);
    assert.match(refusal('kprobe:vfs_read /{1}/ { }').message, /braces/);
    assert.match(refusal('kprobe:vfs_read { printf("\\x41"); }').message, /may only escape/);
    assert.match(refusal("kprobe:vfs_read { $c = 'a'; }").message, /character literals/);
    assert.match(refusal('kprobe:vfs_read { $x = 1e3; }').message, /numbers/);
    assert.match(refusal('kprobe:vfs_read {\u00a0}').message, /not understood/);
    assert.match(refusal('// only a comment').message, /no probe/);
    assert.match(refusal('kprobe:vfs_read { $x = 4 / { }').message, /put a division in parentheses/);
  });

  it('names the line and column of what it refused', () => {
    assert.match(refusal('BEGIN { }\n\nkprobe:vfs_read {\n  $x = "open\n}').message, /line 4, column 8/);
  });

  it('divides inside a predicate and a block', () => {
    const probes = probesOf(
      scopeBpftraceProgram('kprobe:vfs_read /(pid / 2) > 1/ { @ = nsecs / 1000; }', SCOPE),
    );
    assert.equal(probes[0]?.predicate, `( ${FILTER_TOKENS} ) && ( ( pid / 2 ) > 1 )`);
    assert.equal(probes[0]?.body, '@ = nsecs / 1000 ;');
  });

  it('understands the usual attach points', () => {
    const points = [
      'kprobe:vfs_read',
      'kretprobe:vfs_read',
      'kprobe:vfs_read+16',
      'uprobe:/usr/bin/bash:readline',
      'uretprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc',
      'uprobe:/proc/1/root/app/server:0x4010',
      'tracepoint:sched:sched_switch',
      'usdt:/usr/lib/libpython3.11.so:python:function__entry',
      'profile:hz:99',
      'software:cpu-clock:1000000',
      'hardware:cache-misses:1000000',
      'kfunc:vfs_read',
      'rawtracepoint:sched_switch',
    ];
    for (const point of points) {
      const probes = probesOf(scopeBpftraceProgram(`${point} { @ = count(); }`, SCOPE));
      assert.deepEqual([probes[0]?.attach, probes[0]?.predicate], [point, `( ${FILTER_TOKENS} )`], point);
    }
  });
});

describe('scopeFilter', () => {
  it('names PID namespaces and host PIDs, and nothing when given nothing', () => {
    assert.equal(
      scopeFilter({ pidNamespaces: [4026532183, 4026532183], pids: [42, 7] }),
      `${FILTER} || pid == 42 || pid == 7`,
    );
    assert.throws(() => scopeFilter({ pidNamespaces: [], pids: [] }), /needs a PID namespace or a PID/);
    assert.throws(() => scopeFilter({ pidNamespaces: [Number.NaN], pids: [] }), /not a positive integer/);
  });

  it("narrows to the targets' cgroups when it has their IDs: in the namespace and in one of them", () => {
    assert.equal(
      scopeFilter({ pidNamespaces: [4026532183], pids: [], cgroupIds: [9001, 9002, 9001] }),
      `( ${FILTER} ) && ( cgroup == 9001 || cgroup == 9002 )`,
    );
    assert.equal(scopeFilter({ pidNamespaces: [4026532183], pids: [], cgroupIds: [] }), FILTER);
    assert.throws(
      () => scopeFilter({ pidNamespaces: [4026532183], pids: [], cgroupIds: [0] }),
      /cgroup ID 0 is not a positive integer/,
    );
  });
});
