import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { StackCollapser } from '../../core/stacks/collapse-perf.ts';
import { compactTreeOfTrie } from '../../core/render/flame-tree-trie.ts';
const collapser = new StackCollapser({});
for await (const chunk of createReadStream(process.argv[2] ?? '/tmp/stoptree/big.perf-script', { highWaterMark: 1 << 20 })) collapser.push(chunk as Buffer);
const trie = collapser.endTrie();
const out = [];
for (let r = 0; r < 8; r++) {
  const c = process.cpuUsage();
  compactTreeOfTrie(trie);
  const u = process.cpuUsage(c);
  out.push(((u.user + u.system) / 1000).toFixed(1));
}
console.log(out.join(' '), trie.size);
