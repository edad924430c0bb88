// scratch: CPU of each step after perf script, on a saved perf.script (not committed)
import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { encodeFlameTree, writeCompactTree } from '../../core/render/flame-tree-compact.ts';
import { buildFlameTree } from '../../core/render/flame-tree.ts';
import { compactTreeOfTrie } from '../../core/render/flame-tree-trie.ts';
import { StackCollapser } from '../../core/stacks/collapse-perf.ts';
import { TimelineBuilder } from '../../core/stacks/timeline.ts';
import { diagnoseStacks } from '../../core/stacks/diagnose.ts';
import { formatFolded } from '../../core/stacks/folded.ts';

const file = process.argv[2] ?? '/tmp/furnace-bench-stop/perf.script';
const small = process.argv[3] === 'small';
function step<T>(label: string, f: () => T): T {
  const c = process.cpuUsage();
  const t = performance.now();
  const r = f();
  const u = process.cpuUsage(c);
  console.log(`${label.padEnd(28)} wall ${(performance.now() - t).toFixed(1).padStart(7)} ms  cpu ${((u.user + u.system) / 1000).toFixed(1).padStart(7)} ms`);
  return r;
}
for (let round = 0; round < 3; round++) {
  console.log(`round ${round}`);
  const collapser = new StackCollapser({ small }, undefined, new TimelineBuilder());
  const c = process.cpuUsage();
  const t = performance.now();
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) collapser.push(chunk as Buffer);
  const u = process.cpuUsage(c);
  console.log(`collapse+timeline           wall ${(performance.now() - t).toFixed(1).padStart(7)} ms  cpu ${((u.user + u.system) / 1000).toFixed(1).padStart(7)} ms`);
  const trie = collapser.endTrie();
  const newTree = step('new: compactTreeOfTrie', () => compactTreeOfTrie(trie));
  const stacks = step('end (folded join)', () => trie.folded());
  step('timeline finish (keys)', () => collapser.timeline());
  step('diagnose', () => diagnoseStacks(stacks, { durationSeconds: 30, frequency: 999, callGraph: 'fp', processes: ['x'] }));
  const oldTree = step('old: buildFlameTree', () => buildFlameTree(stacks));
  const enc = step('old: encodeFlameTree', () => encodeFlameTree(oldTree));
  const bytes = step('writeCompactTree', () => writeCompactTree(newTree));
  step('  (old bytes equal?)', () => console.log(Buffer.compare(Buffer.from(bytes), Buffer.from(writeCompactTree(enc))) === 0));
  for (const level of [1, 3, 6]) step(`gzip level ${level} (${bytes.length} B)`, () => gzipSync(bytes, { level }).length);
  step('formatFolded', () => formatFolded(stacks));
  step('trieText', () => Buffer.concat([...collapser.endText()]).length);
  console.log(`stacks ${stacks.size}, trie nodes ${trie.size}, names ${trie.nameCount}`);
}
