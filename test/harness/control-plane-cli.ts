// `start DIR` starts the run's shared control plane and leaves it running; `stop DIR` stops it by PID.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ControlPlaneState } from './control-plane.ts';
import { removeControlPlaneDir, startControlPlane, stopControlPlane } from './control-plane.ts';

const [command, dir] = process.argv.slice(2);
const binDir = process.env.FURNACE_TEST_BIN_DIR;

if (command === 'start' && dir && binDir) {
  const started = Date.now();
  const state = await startControlPlane(dir, binDir);
  console.log(`control plane ready at ${state.url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} else if (command === 'stop' && dir) {
  const state = JSON.parse(await readFile(join(dir, 'control-plane.json'), 'utf8')) as ControlPlaneState;
  await stopControlPlane(state);
  await removeControlPlaneDir(dir);
} else {
  console.error('usage: FURNACE_TEST_BIN_DIR=DIR control-plane-cli.ts start|stop STATE_DIR');
  process.exitCode = 2;
}
