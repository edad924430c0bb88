// core/stacks/interned.ts: every stack read back from the interned tables is the stack it was given,
// frame for frame, however its text overlaps the stack before it (the interner reuses the frames of a
// shared start), and each frame name is interned once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { internStacks, stackCount, type InternedStacks } from '../../../core/stacks/interned.ts';

function readBack(tables: InternedStacks): string[] {
  const out: string[] = [];
  for (let s = 0; s < stackCount(tables); s++) {
    const names: string[] = [];
    for (let f = tables.offsets[s] as number; f < (tables.offsets[s + 1] as number); f++)
      names.push(tables.names[tables.frames[f] as number] as string);
    out.push(names.join(';'));
  }
  return out;
}

function check(stacks: string[]): InternedStacks {
  const tables = internStacks(new Map(stacks.map((stack, i) => [stack, i + 1])));
  assert.deepEqual(readBack(tables), stacks);
  assert.equal(new Set(tables.names).size, tables.names.length, 'each name once');
  for (const [i, name] of tables.names.entries()) assert.equal(tables.find(name), i);
  return tables;
}

describe('interned stacks', () => {
  it('reads back stacks whose text overlaps the previous one across frame boundaries', () => {
    check([
      'ab;c',
      'a;bc',
      'a;b',
      'a;bc;d',
      'a;b;c',
      'a;b;',
      'a',
      'a;;b',
      'a;;',
      ';a',
      'x;y;z',
      'x;y',
      'x;yz',
    ]);
  });

  it('reads back random stacks of a few short names (many shared starts), and leaves out empty counts', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const names = ['a', 'b', 'ab', 'ba', 'main', 'é', '𝑥', ''];
    const stacks = new Set<string>();
    while (stacks.size < 2000) {
      const depth = 1 + random(8);
      stacks.add(Array.from({ length: depth }, () => names[random(names.length)]).join(';'));
    }
    check([...stacks]);
    const withZero = internStacks(
      new Map([
        ['a;b', 2],
        ['a;c', 0],
        ['a;d', 1.6],
      ]),
    );
    assert.deepEqual(readBack(withZero), ['a;b', 'a;d']);
    assert.deepEqual([...withZero.counts], [2, 2]);
  });

  it('reads back stacks longer than 64 Ki characters, whose frame ends need more than 16 bits', () => {
    const deep = Array.from({ length: 3000 }, (_, i) => `frame_number_${i}_of_a_deep_stack`);
    const long = deep.join(';');
    assert.ok(long.length > 0x10000, `a stack of ${long.length} characters`);
    check([long, `${long};leaf`, `${deep.slice(0, 2900).join(';')};other`, 'short;stack', `${long}x`]);
  });

  it('reads back stacks of more than 65,536 distinct names, whose ids need more than 16 bits', () => {
    const stacks = Array.from({ length: 70_000 }, (_, i) => `root;mid_${i % 7};leaf_${i}`);
    const tables = check([...stacks, 'root;mid_3;leaf_69999;deeper', 'root;leaf_12']);
    assert.equal(tables.names.length, 70_009);
    assert.ok(tables.frames instanceof Uint32Array, 'ids widened to 32 bits');
  });
});
