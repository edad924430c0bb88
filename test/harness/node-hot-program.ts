// The Node.js program that node-profiler tests record: an ES module started with no flag at all, two busy
// functions (furnaceJsHeavy loops four times as long as furnaceJsLight each round) and one that keeps
// memory (furnaceJsRetain). Its inspector port is set from the code (process.debugPort, what SIGUSR1 opens) to a free one,
// so that tests running side by side never contend for Node's default 9229.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort } from './ports.ts';
import { startProcess, type RunningProcess } from './processes.ts';

/**
 * Statements on a path never taken: they make a function's bytecode larger than V8 inlines (460 bytes).
 * Code optimized before a profile starts has no record of what it inlined, so an inlined hot function
 * would show under its caller's name; these two must keep their own.
 */
const NEVER_INLINED = Array.from({ length: 120 }, (_, i) => `sink += ${i} * sink;`).join(' ');

const PROGRAM = `process.debugPort = Number(process.argv[2]);
const end = Date.now() + Number(process.argv[3]) * 1000;
let sink = 0;
function furnaceJsLight() {
  for (let i = 0; i < 2000; i++) sink += Math.sqrt(i);
  if (sink < 0) { ${NEVER_INLINED} }
}
function furnaceJsHeavy() {
  for (let i = 0; i < 8000; i++) sink += Math.sqrt(i);
  if (sink < 0) { ${NEVER_INLINED} }
}
// Short calls, many of them: V8 optimizes each function whole rather than replacing a running loop (code
// put in on the stack that way is not known to a profile started later). Busy 20 ms of every 40.
function round() {
  const start = Date.now();
  while (Date.now() - start < 20) { furnaceJsLight(); furnaceJsHeavy(); }
  if (Date.now() < end) setTimeout(round, 20);
}
// Memory it keeps: each call allocates about 100 KB of objects and keeps the last 500 calls' worth.
const retained = [];
function furnaceJsRetain() {
  retained.push(Array.from({ length: 2000 }, (_, i) => ({ i, text: 'kept-' + i })));
  if (retained.length > 500) retained.shift();
  if (Date.now() < end) setTimeout(furnaceJsRetain, 100);
}
round();
furnaceJsRetain();
`;

export interface NodeHotProgram {
  process: RunningProcess;
  /** The inspector port SIGUSR1 opens. */
  inspectorPort: number;
  /** The program's path: its frames are named `function (path:line)`. */
  path: string;
}

/** Writes and starts the program with this test's Node.js (no flags), busy about half of the time. */
export async function startNodeHotProgram(
  t: TestContext,
  dir: string,
  seconds = 120,
): Promise<NodeHotProgram> {
  const path = join(dir, 'furnace-node-hot.mjs');
  await writeFile(path, PROGRAM);
  const inspectorPort = await freePort();
  return {
    process: startProcess(t, process.execPath, [path, String(inspectorPort), String(seconds)]),
    inspectorPort,
    path,
  };
}
