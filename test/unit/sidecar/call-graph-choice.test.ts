// callGraph auto's decisions: which binaries of a process count, what their verdicts make of the call graph
// and its reason, the prologue judgement on code bytes, and files that are not what they claim (a target's
// binary may be hostile). Real binaries are judged in test/process/frame-pointer-check.test.ts.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  chooseCallGraph,
  JVM_DECISION,
  decideCallGraph,
  mainBinaries,
  MAX_BINARIES,
} from '../../../sidecar/profilers/perf/call-graph/choose-call-graph.ts';
import { EM_AARCH64, EM_X86_64, spreadIndexes } from '../../../sidecar/profilers/perf/call-graph/elf-code.ts';
import {
  checkBinary,
  judgeElfCode,
  type BinaryVerdict,
} from '../../../sidecar/profilers/perf/call-graph/frame-pointers.ts';
import { execFileSync } from '../../harness/child-processes.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

const line = (start: number, end: number, perms: string, path: string): string =>
  `${start.toString(16)}-${end.toString(16)} ${perms} 00000000 fe:00 ${start % 9999} ${path}`;

const verdict = (name: string, framePointers: BinaryVerdict['framePointers'], why = ''): BinaryVerdict => ({
  name,
  framePointers,
  why,
});

describe('call graph auto: the main binaries of a process', () => {
  it('takes the executable, and libraries with more code than it but not the C and C++ runtimes', () => {
    const maps = [
      line(0x1000, 0x2000, 'r--p', '/usr/bin/java'),
      line(0x2000, 0x3000, 'r-xp', '/usr/bin/java'),
      line(0x10_0000, 0x200_0000, 'r-xp', '/usr/lib/jvm/lib/server/libjvm.so'),
      line(0x300_0000, 0x320_0000, 'r-xp', '/usr/lib/x86_64-linux-gnu/libc.so.6'),
      line(0x400_0000, 0x420_0000, 'r-xp', '/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30'),
      line(0x500_0000, 0x500_0800, 'r-xp', '/usr/lib/libtiny.so'),
      line(0x600_0000, 0x610_0000, 'rw-p', '/usr/lib/data.bin'),
      line(0x700_0000, 0x700_2000, 'r-xp', '[vdso]'),
    ].join('\n');
    assert.deepEqual(mainBinaries(maps, '/usr/bin/java'), [
      '/usr/bin/java',
      '/usr/lib/jvm/lib/server/libjvm.so',
    ]);
  });

  it('keeps at most three libraries, largest first, and reads a deleted executable by its path', () => {
    const maps = [
      line(0x1000, 0x2000, 'r-xp', '/app/server (deleted)'),
      ...[2, 5, 3, 4].map((mb, i) =>
        line(0x1000_0000 * (i + 1), 0x1000_0000 * (i + 1) + mb * 0x10_0000, 'r-xp', `/lib/l${mb}.so`),
      ),
    ].join('\n');
    assert.deepEqual(mainBinaries(maps, '/app/server'), [
      '/app/server',
      '/lib/l5.so',
      '/lib/l4.so',
      '/lib/l3.so',
    ]);
  });
});

describe('call graph auto: the decision and its reason', () => {
  it('takes dwarf when a main binary has no frame pointers, naming those without', () => {
    assert.deepEqual(decideCallGraph([verdict('nginx', 'no'), verdict('libcrypto.so.3', 'no')]), {
      used: 'dwarf',
      reason: 'nginx and libcrypto.so.3 have no frame pointers',
    });
    assert.deepEqual(decideCallGraph([verdict('app', 'yes'), verdict('nginx', 'no')]), {
      used: 'dwarf',
      reason: 'nginx has no frame pointers',
    });
    const many = ['a', 'b', 'c', 'd', 'e'].map((name) => verdict(name, 'no'));
    assert.equal(decideCallGraph(many).reason, 'a, b, c and 2 more have no frame pointers');
  });

  it('keeps fp when they have them, or when one could not be checked (saying so)', () => {
    assert.deepEqual(decideCallGraph([verdict('app', 'yes'), verdict('app', 'yes')]), {
      used: 'fp',
      reason: 'app has frame pointers',
    });
    assert.deepEqual(
      decideCallGraph([verdict('app', 'yes'), verdict('blob', 'unknown', 'not an ELF file')]),
      {
        used: 'fp',
        reason: 'app has frame pointers; could not check blob (not an ELF file)',
      },
    );
    assert.deepEqual(decideCallGraph([]), { used: 'fp', reason: "no process's executable could be read" });
  });

  it('keeps the reason short whatever the targets call their files (the status caps it at 1024)', () => {
    const long = (c: string) => c.repeat(255);
    const verdicts = [
      ...['a', 'b', 'c', 'd'].map((c) => verdict(long(c), 'yes')),
      ...['e', 'f', 'g', 'h'].map((c) => verdict(long(c), 'unknown', 'unreadable (ENAMETOOLONG)')),
    ];
    const { reason } = decideCallGraph(verdicts);
    assert.ok(reason.length <= 600, `${reason.length} characters`);
    assert.match(
      reason,
      new RegExp(`^a{64}…, b{64}…, c{64}… and 1 more have frame pointers; could not check e{64}…`),
    );
  });

  it('takes the request as it is unless it is auto; a whole-node recording stays with fp', async () => {
    assert.deepEqual(await chooseCallGraph('dwarf', [1]), { used: 'dwarf', reason: 'as requested' });
    assert.deepEqual(await chooseCallGraph('fp', 'system-wide'), { used: 'fp', reason: 'as requested' });
    assert.equal((await chooseCallGraph('auto', 'system-wide')).used, 'fp');
  });

  it('checks each binary once, at most MAX_BINARIES in all, through each process root (a /proc of files)', async (t) => {
    const proc = await tempDir(t, 'furnace-fake-proc-');
    const pids = Array.from({ length: (MAX_BINARIES + 2) * 2 }, (_, i) => 100 + i);
    for (const pid of pids) {
      await mkdir(join(proc, String(pid), 'ns'), { recursive: true });
      // Two processes of each program, in one mount namespace.
      const program = `/srv/app${Math.floor(pid / 2)}`;
      await symlink(program, join(proc, String(pid), 'exe'));
      await symlink('mnt:[4026531841]', join(proc, String(pid), 'ns', 'mnt'));
      await writeFile(join(proc, String(pid), 'maps'), line(0x1000, 0x2000, 'r-xp', program));
    }
    const checked: string[] = [];
    const decision = await chooseCallGraph('auto', pids, {
      procRoot: proc,
      check: (root, path) => {
        checked.push(`${root}:${path}`);
        // app59 lacks them too, but is past the cap: never looked at.
        return Promise.resolve(
          verdict(path.slice(5), ['/srv/app53', '/srv/app59'].includes(path) ? 'no' : 'yes'),
        );
      },
    });
    assert.equal(checked.length, MAX_BINARIES);
    assert.equal(new Set(checked.map((c) => c.split(':')[1])).size, MAX_BINARIES, 'each file once');
    assert.ok(checked[0]?.startsWith(`${proc}/100/root:`), 'read inside the process root');
    assert.deepEqual(
      { used: decision.used, reason: decision.reason },
      { used: 'dwarf', reason: 'app53 has no frame pointers' },
    );
    assert.equal(decision.checked?.length, MAX_BINARIES, 'each verdict, for the log');
  });

  it('walks a JVM by frame pointers, whatever its launcher, since dwarf finds no unwind tables for JIT code', async (t) => {
    const proc = await tempDir(t, 'furnace-fake-proc-');
    const java = '/usr/lib/jvm/java-17/bin/java';
    await mkdir(join(proc, '300', 'ns'), { recursive: true });
    await symlink(java, join(proc, '300', 'exe'));
    await symlink('mnt:[4026531841]', join(proc, '300', 'ns', 'mnt'));
    await writeFile(
      join(proc, '300', 'maps'),
      line(0x1000, 0x2000, 'r-xp', java) +
        line(0x10000, 0x900000, 'r-xp', '/usr/lib/jvm/java-17/lib/server/libjvm.so'),
    );
    const decision = await chooseCallGraph('auto', [300], {
      procRoot: proc,
      check: (_root, path) => Promise.resolve(verdict(path, 'no')),
    });
    assert.equal(decision.used, 'fp');
    assert.equal(decision.reason, JVM_DECISION.reason);
    assert.match(decision.reason, /-XX:\+PreserveFramePointer/);
  });
});

/** 16 bytes of code starting with `bytes`, padded with int3. */
const code = (...bytes: number[]): Buffer =>
  Buffer.concat([Buffer.from(bytes), Buffer.alloc(32, 0xcc)]).subarray(0, 32);
const PUSH_MOV = code(0x55, 0x48, 0x89, 0xe5);
const ENDBR_PUSH_LEA_MOV = code(0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x8d, 0x3d, 0, 0, 0, 0, 0x48, 0x89, 0xe5);
const NO_FRAME = code(0x48, 0x83, 0xec, 0x08, 0x53);

describe('call graph auto: the prologue judgement', () => {
  it('counts x86-64 functions that set up a frame (also with other instructions scheduled in between)', () => {
    const elf = (prologues: Buffer[]) => ({
      machine: EM_X86_64,
      go: false,
      functions: prologues.length,
      prologues,
    });
    const some = [ENDBR_PUSH_LEA_MOV, PUSH_MOV, ...Array.from({ length: 6 }, () => NO_FRAME)];
    assert.deepEqual(judgeElfCode(elf(some)), {
      framePointers: 'yes',
      why: '25 % of 8 sampled functions set up a frame pointer',
    });
    const few = [PUSH_MOV, ...Array.from({ length: 19 }, () => NO_FRAME)];
    assert.equal(
      judgeElfCode(elf(few)).framePointers,
      'no',
      '5 %: only functions that need a frame have one',
    );
    assert.equal(judgeElfCode(elf([PUSH_MOV, PUSH_MOV])).framePointers, 'unknown', 'too few functions');
  });

  it('reads arm64 prologues (mov x29, sp), Go programs, and refuses to guess for other machines', () => {
    const stp = Buffer.from([0xfd, 0x7b, 0xbf, 0xa9]);
    const movX29 = Buffer.from([0xfd, 0x03, 0x00, 0x91]);
    const withFrame = Buffer.concat([stp, movX29, Buffer.alloc(24)]);
    const without = Buffer.concat([stp, Buffer.alloc(28)]);
    const arm = {
      machine: EM_AARCH64,
      go: false,
      functions: 4,
      prologues: [withFrame, withFrame, without, without],
    };
    assert.equal(judgeElfCode(arm).framePointers, 'yes');
    assert.equal(
      judgeElfCode({ ...arm, prologues: [without, without, without, without] }).framePointers,
      'no',
    );
    assert.equal(judgeElfCode({ ...arm, go: true, functions: 0, prologues: [] }).framePointers, 'yes');
    assert.deepEqual(judgeElfCode({ ...arm, machine: 243 }), {
      framePointers: 'unknown',
      why: 'machine 243 is not x86-64 or arm64',
    });
  });

  it('spreads the sample over the whole table', () => {
    assert.deepEqual(spreadIndexes(3, 8), [0, 1, 2]);
    assert.deepEqual(spreadIndexes(100, 4), [12, 37, 62, 87]);
  });
});

describe('call graph auto: files that are not what they claim', () => {
  it('says unknown for a file that is not ELF, a truncated ELF, a lying unwind table, a FIFO or nothing', async (t) => {
    const dir = await tempDir(t, 'furnace-fp-files-');
    await writeFile(join(dir, 'script'), '#!/bin/sh\necho hi\n');
    const header = Buffer.alloc(64);
    header.write('\x7fELF', 0, 'latin1');
    header[4] = 2;
    header[5] = 1;
    header.writeUInt16LE(EM_X86_64, 18);
    header.writeBigUInt64LE(64n, 32);
    header.writeUInt16LE(56, 54);
    header.writeUInt16LE(4, 56); // four program headers that are not there
    await writeFile(join(dir, 'truncated'), header);
    // One PT_GNU_EH_FRAME segment whose header claims a million entries in 16 bytes.
    const phdr = Buffer.alloc(56);
    phdr.writeUInt32LE(0x6474e550, 0);
    phdr.writeBigUInt64LE(120n, 8);
    phdr.writeBigUInt64LE(120n, 16);
    phdr.writeBigUInt64LE(16n, 32);
    const hdr = Buffer.from([1, 0x1b, 0x03, 0x3b, 0, 0, 0, 0, 0x40, 0x42, 0x0f, 0x00, 0, 0, 0, 0]);
    const lying = Buffer.concat([header, phdr, hdr]);
    lying.writeUInt16LE(1, 56);
    await writeFile(join(dir, 'lying'), lying);
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const verdicts = await Promise.all(
      ['script', 'truncated', 'lying', 'fifo', 'missing'].map((name) => checkBinary(dir, `/${name}`)),
    );
    assert.deepEqual(
      verdicts.map((v) => v.framePointers),
      ['unknown', 'unknown', 'unknown', 'unknown', 'unknown'],
    );
    assert.deepEqual(
      verdicts.map((v) => v.why),
      [
        'not an ELF file',
        '224 bytes at 64 are outside the file (64 bytes)',
        '.eh_frame_hdr claims 1000000 entries',
        'not a regular file',
        'unreadable (ENOENT)',
      ],
    );
  });
});
