// The test node for a benchmark (docs/test-node.md): FURNACE_TEST_NODE's when set, else one it starts for
// the benchmark and stops after it, reporting anything the teardown left; and a work directory whose Furnace
// install is removed after the benchmark, whatever happened in it.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startNode } from '../harness/node/start-node.ts';
import { stopNode } from '../harness/node/stop-node.ts';
import { nodeBinaries, useNode, type TestNode } from '../harness/node/use-node.ts';
import { uninstall } from '../node/readme-walk-real-install.ts';

export async function onNode(body: (node: TestNode) => Promise<void>): Promise<void> {
  if (process.env.FURNACE_TEST_NODE) return body(await useNode());
  const dir = await mkdtemp('/tmp/furnace-node-');
  try {
    await startNode(dir, nodeBinaries());
    process.env.FURNACE_TEST_NODE = join(dir, 'node.json');
    await body(await useNode());
  } finally {
    const left = await stopNode(dir);
    if (left.length > 0) process.stderr.write(`node teardown left: ${left.join(', ')}\n`);
  }
}

/** Runs `body` in a new work directory on the node; then uninstalls Furnace (if it was) and removes the directory. */
export async function inInstallDir(
  node: TestNode,
  name: string,
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join('/var/tmp', `furnace-bench-${name}-`));
  try {
    await body(dir);
  } finally {
    await uninstall(node, dir).catch((error: unknown) =>
      process.stderr.write(`uninstall: ${String(error)}\n`),
    );
    await rm(dir, { recursive: true, force: true });
  }
}
