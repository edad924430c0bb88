// The scoper's structure as bpftrace itself parses it: the real bpftrace 0.17 (`-d`, a dry run that
// prints its syntax tree) reads the scoped program of adversarial sources with the recorder's filter as
// the left operand of `&&` at the root of every task probe's predicate, never anywhere else.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { scopeBpftraceProgram } from '../../core/bpftrace/scope.ts';
import { run } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';

const SCOPE = { pidNamespaces: [4026532183], pids: [] };

/** Probes whose predicates try to escape a naive wrap, with strings and comments full of structure. */
const ADVERSARIAL = [
  'kprobe:vfs_read { @reference = count(); }',
  'kprobe:vfs_write /pid == 1 || 1/ { @a = count(); }',
  'kprobe:vfs_open /(1) || (1)/ { printf("} /) || (1/ {\\n"); }',
  'tracepoint:syscalls:sys_enter_openat /* ) || ( */ /1 ? 1 : 0/ { @b = count(); } // ) || 1 {',
  'kprobe:vfs_fsync /!(pid == 0) && (2 / 1 > 0)/ { @c = nsecs / 2; }',
  'kretprobe:vfs_read, kprobe:vfs_readv /retval >= 0 || __INT_MAX__/ { @d = count(); }',
].join('\n');

/** `bpftrace -d`'s tree after parsing: one entry per line with its depth (one space per level). */
function parsedTree(output: string): { depth: number; text: string }[] {
  const start = output.indexOf('AST after: parser');
  const end = output.indexOf('AST after:', start + 1);
  assert.ok(start >= 0, `bpftrace printed no syntax tree:\n${output.slice(0, 2000)}`);
  const section = output
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    .slice(3);
  return section
    .filter((line) => line.trim() !== '')
    .map((line) => ({
      depth: line.length - line.trimStart().length,
      text: line.trim().replace(/ :: .*$/, ''),
    }));
}

/** Each probe's predicate as a list of lines relative to its root (undefined when it has none). */
function predicates(tree: { depth: number; text: string }[]): Map<string, string[] | undefined> {
  const found = new Map<string, string[] | undefined>();
  let probe = '';
  for (let i = 0; i < tree.length; i++) {
    const node = tree[i];
    if (node === undefined) continue;
    if (node.depth === 1) {
      probe = node.text;
      found.set(probe, undefined);
    } else if (node.depth === 2 && node.text === 'pred') {
      const lines: string[] = [];
      for (let j = i + 1; (tree[j]?.depth ?? 0) > 2; j++)
        lines.push(`${(tree[j]?.depth ?? 0) - 3}:${tree[j]?.text}`);
      found.set(probe, lines);
    }
  }
  return found;
}

/** The first operand of a root `&&`, as depth-shifted lines comparable with a lone predicate. */
function leftOperand(lines: readonly string[]): string[] {
  const children = lines.slice(1);
  const second = children.findIndex((line, i) => i > 0 && line.startsWith('1:'));
  return children
    .slice(0, second)
    .map((line) => line.replace(/^(\d+):/, (_, d: string) => `${Number(d) - 1}:`));
}

describe('scoped programs as bpftrace parses them (real bpftrace, dry run)', () => {
  it('has the filter alone, or as the left operand of a root &&, in every task probe', async (t) => {
    const dir = await workDir(t, 'bpftrace-parse');
    const file = `${dir}/scoped.bt`;
    await writeFile(file, scopeBpftraceProgram(ADVERSARIAL, SCOPE));
    // The dry run exits non-zero when a probe does not exist here; the tree is printed before that.
    const output = await run('bpftrace', ['-d', file], { maxBuffer: 64 * 1024 * 1024 }).then(
      (r) => r.stdout + r.stderr,
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
    const preds = predicates(parsedTree(output));
    const filter = preds.get('kprobe:vfs_read');
    assert.ok(
      filter !== undefined && filter.some((line) => line.includes('int: 4026532183')),
      String(filter),
    );
    const probes = [
      'kprobe:vfs_write',
      'kprobe:vfs_open',
      'tracepoint:syscalls:sys_enter_openat',
      'kprobe:vfs_fsync',
      'kprobe:vfs_readv',
    ];
    for (const probe of probes) {
      const pred = preds.get(probe);
      assert.ok(pred !== undefined, `${probe} has a predicate`);
      assert.equal(pred[0], '0:&&', `${probe}: the root is &&`);
      assert.deepEqual(leftOperand(pred), filter, `${probe}: the filter is the left operand of the root &&`);
    }
    assert.equal(preds.size, probes.length + 2, [...preds.keys()].join(', '));
  });
});
