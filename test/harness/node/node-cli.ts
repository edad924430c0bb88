// `start DIR` starts the run's real node (and its control plane) and leaves it running; `stop DIR` tears it
// down by what DIR/node.json recorded and fails naming anything it could not remove.
import { startNode } from './start-node.ts';
import { stopNode } from './stop-node.ts';

const [command, dir] = process.argv.slice(2);
const binDir = process.env.FURNACE_TEST_BIN_DIR;
const corednsBinDir = process.env.FURNACE_TEST_COREDNS_BIN_DIR;

if (command === 'start' && dir && binDir && corednsBinDir) {
  const started = Date.now();
  const state = await startNode(dir, { binDir, corednsBinDir });
  console.log(
    `node ${state.nodeName} Ready at ${state.nodeIp} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
} else if (command === 'stop' && dir) {
  const left = await stopNode(dir);
  if (left.length > 0) {
    console.error(`node teardown left: ${left.join(', ')}`);
    process.exitCode = 1;
  }
} else {
  console.error(
    'usage: FURNACE_TEST_BIN_DIR=DIR FURNACE_TEST_COREDNS_BIN_DIR=DIR node-cli.ts start STATE_DIR | node-cli.ts stop STATE_DIR',
  );
  process.exitCode = 2;
}
